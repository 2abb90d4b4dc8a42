import { fileURLToPath } from 'node:url'
import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

const fastCheckSetup = fileURLToPath(new URL('./vitest.fastcheck.ts', import.meta.url))
const toArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The fast-check seed of this run: `FC_SEED`, else fixed under CI, else random. Workers inherit it. */
export const fastCheckSeed = (() => {
  const given = Number(process.env.FC_SEED)
  const seed =
    Number.isSafeInteger(given) && process.env.FC_SEED !== ''
      ? given
      : process.env.CI
        ? 20261205
        : Math.floor(Math.random() * 2 ** 31)
  process.env.FC_SEED = String(seed)
  return seed
})()

/** Resolve workspace packages to their `src/` through the custom export condition, so tests need no build. */
export const sourceConditions = ['@ringline/source']

/** A vitest project for one package of the workspace, running on source. */
export function ringlineProject(config: UserWorkspaceConfig): UserWorkspaceConfig {
  return defineProject({
    ...config,
    resolve: { conditions: sourceConditions, ...config.resolve },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: sourceConditions } },
    test: {
      testTimeout: 30_000,
      hookTimeout: 180_000,
      ...config.test,
      setupFiles: [fastCheckSetup, ...toArray(config.test?.setupFiles)],
    },
  })
}
