// A module of core loaded with import() on first use (tsup splits it into a chunk of its own), then held so later
// uses are synchronous. The testing entry provides some ahead of time so fakes run synchronously.

/** A lazily imported module. Internal. */
export interface LazyModule<M> {
  /** The module once loaded; null before. */
  readonly loaded: M | null
  /** Load it once (a failed load is tried again on the next call). */
  load(): Promise<M>
  /**
   * Use this module instead of importing it; a promise of it stands for a load under way (tests hold it back), null
   * forgets it (the next `load` imports again).
   */
  provide(module: M | Promise<M> | null): void
}

/** Wrap `importer` (a function around one `import('./file')`) as a module loaded on first use. Internal. */
export function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let loaded: M | null = null
  let pending: Promise<M> | null = null
  return {
    get loaded() {
      return loaded
    },
    load() {
      if (loaded) return Promise.resolve(loaded)
      pending ??= importer().then(
        (m) => {
          loaded = m
          return m
        },
        (e: unknown) => {
          pending = null
          throw e
        },
      )
      return pending
    },
    provide(module) {
      loaded = module instanceof Promise ? null : module
      pending =
        module instanceof Promise
          ? module.then((m) => {
              loaded = m
              return m
            })
          : null
    },
  }
}
