import { fileURLToPath } from 'node:url'
import type { StorybookConfig } from '@storybook/react-vite'
import { defaultClientConditions } from 'vite'

// Workspace packages resolve to their src/ through the `@ringline/source` export condition: no build needed.
const config: StorybookConfig = {
  stories: ['../src/**/*.mdx', '../src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs'],
  framework: { name: '@storybook/react-vite', options: {} },
  staticDirs: ['../public'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  typescript: {
    reactDocgen: 'react-docgen-typescript',
    reactDocgenTypescriptOptions: {
      // Props tables come from the React package's sources, which live outside this app.
      tsconfigPath: fileURLToPath(new URL('../tsconfig.docgen.json', import.meta.url)),
      include: [fileURLToPath(new URL('../../../packages/react/src/**/*.tsx', import.meta.url))],
      exclude: ['**/*.test.tsx', '**/*.stories.tsx'],
      shouldExtractLiteralValuesFromEnum: true,
      // Props tables show the component's own props, not every HTML attribute it forwards.
      propFilter: (prop) => !prop.parent || !/node_modules/.test(prop.parent.fileName),
    },
  },
  async viteFinal(viteConfig) {
    viteConfig.resolve ??= {}
    viteConfig.resolve.conditions = ['@ringline/source', ...defaultClientConditions]
    // 'use client' marks the components for React Server Components; a client-only bundle can ignore it.
    viteConfig.build ??= {}
    const previous = viteConfig.build.rollupOptions?.onwarn
    viteConfig.build.rollupOptions = {
      ...viteConfig.build.rollupOptions,
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        if (previous) previous(warning, warn)
        else warn(warning)
      },
    }
    return viteConfig
  },
}

export default config
