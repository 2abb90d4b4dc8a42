import '@ringline/react/styles.css'
import type { Preview } from '@storybook/react-vite'
import { mswLoader } from './msw'

const preview: Preview = {
  tags: ['autodocs'],
  loaders: [mswLoader],
  globalTypes: {
    theme: {
      description: 'Color theme of the components',
      toolbar: {
        title: 'Theme',
        icon: 'mirror',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
    dir: {
      description: 'Text direction',
      toolbar: {
        title: 'Direction',
        icon: 'transfer',
        items: [
          { value: 'ltr', title: 'Left to right' },
          { value: 'rtl', title: 'Right to left' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light', dir: 'ltr' },
  decorators: [
    (Story, context) => {
      const theme = (context.globals.theme as string) ?? 'light'
      const dir = (context.parameters.dir as string | undefined) ?? (context.globals.dir as string) ?? 'ltr'
      if (typeof document !== 'undefined') document.documentElement.dataset.theme = theme
      return (
        <div
          data-theme={theme}
          dir={dir}
          lang={dir === 'rtl' ? 'ar' : 'en'}
          style={{
            padding: '1rem',
            background: 'var(--rl-bg)',
            color: 'var(--rl-text)',
            minHeight: context.viewMode === 'docs' ? undefined : '100vh',
          }}
        >
          <Story />
        </div>
      )
    },
  ],
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true },
    a11y: { test: 'error' },
  },
}

export default preview
