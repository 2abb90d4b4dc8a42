import { ringlineProject } from '../../vitest.shared'

// Renders every story in jsdom (loaders, MSW handlers and play functions included) and runs axe on it.
export default ringlineProject({
  test: {
    sequence: { groupOrder: 0 },
    name: 'storybook',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./vitest.setup.ts'],
  },
})
