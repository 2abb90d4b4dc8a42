'use client'
// The body of a component that is not on the call path, loaded with import() on its first render (or earlier with
// `preload()`), behind a small shell that keeps the public name, props and behaviour. The shell renders
// `<Suspense fallback>` around a `React.lazy` of the body; once the body module is in memory (preloaded, or loaded by
// an earlier render) the lazy resolves synchronously, so that render shows the body at once, on the server
// (renderToString after preload()) and on the client alike. A failed import throws to the host's nearest error
// boundary; the next render (or preload()) tries the import again.
//
// Rule for a body module (XBody.tsx): it imports only react, types, cx/useLabels-size helpers every component uses, and
// modules of its own that the package index does not reach. Whatever else it needs (hooks, labels, icons, core
// functions) its shell hands it as it loads it (`loadXBody(shared)`). Why: esbuild's code splitting makes every
// import() target an entry point even when the shell is tree-shaken, and a host importing anything from the index
// then loads eagerly every module the index reaches that some chunk uses: a body importing `useTwilioOnboarding`
// put TwilioOnboardingObserver into a Dialer-only bundle (6.2 → 19.9 kB gzip). Shells and their `shared` objects are
// pure (`/* @__PURE__ */`, no assignments), so an unused shell, its import() and its `shared` all drop.
import { type ComponentType, type CSSProperties, type JSX, lazy, type ReactNode, Suspense } from 'react'
import { cx } from './cx'

/** A thenable that calls back synchronously, so React.lazy resolves in the same render. */
const resolved = <T,>(value: T): PromiseLike<T> => ({
  // biome-ignore lint/suspicious/noThenProperty: a synchronous thenable is how React.lazy learns the module is loaded
  then: (onFulfilled) => resolved(onFulfilled ? onFulfilled(value) : value) as never,
})

/** What {@link lazyBody} returns: the shell's `preload()` and how it renders the body. Internal. */
export interface LazyBody<P> {
  /** Loads the body module (once; again after a failure). Resolves when it can render without suspending. */
  preload(): Promise<void>
  /** The body inside `<Suspense>` with `fallback` while the module loads. */
  render(props: P, fallback: ReactNode): JSX.Element
}

/** A component body loaded on first use; `load` is a function around one `import('./XBody')`. Internal. */
export function lazyBody<P extends object>(load: () => Promise<ComponentType<P>>): LazyBody<P> {
  let loaded: ComponentType<P> | undefined
  let loading: Promise<ComponentType<P>> | undefined
  const importBody = (): Promise<ComponentType<P>> => {
    loading ??= load().then(
      (component) => {
        loaded = component
        return component
      },
      (error: unknown) => {
        // Forget the failure so the next render or preload() imports again (with a fresh lazy component).
        loading = undefined
        Body = create()
        throw error
      },
    )
    return loading
  }
  const create = () =>
    lazy<ComponentType<P>>(() =>
      loaded
        ? (resolved({ default: loaded }) as Promise<{ default: ComponentType<P> }>)
        : importBody().then((component) => ({ default: component })),
    ) as unknown as ComponentType<P>
  let Body = create()
  return {
    preload: () => importBody().then(() => undefined),
    render: (props, fallback) => (
      <Suspense fallback={fallback}>
        <Body {...props} />
      </Suspense>
    ),
  }
}

/**
 * The props a body gets from its shell: the component's props, with `labels` the labels the shell already merged
 * (defaults, the messages catalogue, the host's overrides) for its placeholder, so the body does not merge them again.
 */
export type BodyProps<P, L> = Omit<P, 'labels'> & { labels: L }

/**
 * The props a body gets from a shell that leaves the default texts to the body (they load with it): `labels` holds
 * only the catalogue's and the host's overrides (`useLabelOverrides`); the body puts them over its defaults.
 */
export type OverridesBodyProps<P, L> = Omit<P, 'labels'> & { labels: Partial<L> }

/** A preloadable component: the shell plus its static `preload()`. */
export type Preloadable<C> = C & {
  /** Loads the body ahead of the first render (e.g. on hover or route prefetch); resolves when it is loaded. */
  preload(): Promise<void>
}

/**
 * Gives a shell its static `preload()`. A call (annotated pure at the call site) rather than an assignment, so a
 * bundler drops an unused shell, and with it the import() of its body, entirely. Internal.
 */
export function withPreload<C extends object>(
  shell: C,
  body: Pick<LazyBody<never>, 'preload'>,
): Preloadable<C> {
  return Object.assign(shell, { preload: body.preload })
}

/** Props of {@link LazyFallback}. */
interface LazyFallbackProps {
  /** The body's root element, so the layout does not jump when the body replaces the fallback. */
  as: 'section' | 'div'
  /** The body root's role, when it has one (a named region or group). */
  role?: 'region' | 'group'
  /** The body's root class. */
  rootClass: string
  /** The host's `className`, as the body would add it. */
  className?: string | undefined
  /** What is loading, from the component's labels: the region's name and the text screen readers hear. */
  label: string
  style?: CSSProperties | undefined
}

/** What a lazy component shows while its body loads: the body's root, busy, named, with a skeleton. Internal. */
export function LazyFallback({
  as: Root,
  role,
  rootClass,
  className,
  label,
  style,
}: LazyFallbackProps): JSX.Element {
  return (
    <Root
      className={cx(rootClass, className, 'rl-lazy')}
      data-state="loading"
      aria-busy="true"
      {...(role ? { role } : {})}
      {...(Root === 'section' || role ? { 'aria-label': label } : {})}
      {...(style ? { style } : {})}
    >
      <span className="rl-sr-only">{label}</span>
      <span className="rl-skeleton rl-lazy-skeleton" aria-hidden="true" />
    </Root>
  )
}
