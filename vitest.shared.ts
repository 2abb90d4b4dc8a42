import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

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
    },
  })
}
