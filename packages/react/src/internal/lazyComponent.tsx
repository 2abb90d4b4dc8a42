// Components whose code loads on first render (React.lazy behind Suspense), for parts most pages never show.
// The server renders them in full (the prerendered HTML has their markup, and hydration keeps it until the code
// arrives); a client that mounts one fresh shows `Fallback` with the same props until then.
import { type ComponentType, lazy, Suspense } from 'react'

/** A component that loads `load()` on first render and shows `Fallback` meanwhile; `preload()` starts it early. */
export type LazyComponent<P> = ComponentType<P> & { preload: () => Promise<unknown> }

export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  Fallback: ComponentType<P>,
  displayName: string,
): LazyComponent<P> {
  let loading: Promise<{ default: ComponentType<P> }> | null = null
  const preload = () => {
    loading ??= load().then((component) => ({ default: component }))
    return loading
  }
  const Lazy = lazy(preload) as unknown as ComponentType<P>
  const Component = (props: P) => (
    <Suspense fallback={<Fallback {...props} />}>
      <Lazy {...props} />
    </Suspense>
  )
  Component.displayName = displayName
  return Object.assign(Component, { preload })
}
