import '@ringline/react/styles.css'
import { type PartialRinglineMessages, RinglineMessagesProvider } from '@ringline/react'
import { de } from '@ringline/react/locales/de'
import type { Preview } from '@storybook/react-vite'
import { ar } from '../src/locales/ar'
import { mswLoader } from './msw'

/** Catalogues of the Language toolbar: English (the components' defaults), German (shipped), Arabic (RTL check). */
const catalogues: Record<string, PartialRinglineMessages | undefined> = { en: undefined, de, ar }

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
    locale: {
      description: 'Language of the components (a message catalogue)',
      toolbar: {
        title: 'Language',
        icon: 'globe',
        items: [
          { value: 'en', title: 'English' },
          { value: 'de', title: 'Deutsch' },
          { value: 'ar', title: 'العربية (right to left)' },
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
  initialGlobals: { theme: 'light', dir: 'ltr', locale: 'en' },
  decorators: [
    (Story, context) => {
      const theme = (context.globals.theme as string) ?? 'light'
      const locale =
        (context.parameters.locale as string | undefined) ?? (context.globals.locale as string) ?? 'en'
      const messages = catalogues[locale]
      // Arabic turns the page right to left; otherwise the Direction toolbar (or a story's parameter) decides.
      const dir =
        (context.parameters.dir as string | undefined) ??
        (messages?.dir === 'rtl' ? 'rtl' : ((context.globals.dir as string) ?? 'ltr'))
      if (typeof document !== 'undefined') document.documentElement.dataset.theme = theme
      return (
        <RinglineMessagesProvider messages={messages}>
          <div
            data-theme={theme}
            dir={dir}
            lang={locale === 'en' && dir === 'rtl' ? 'ar' : locale}
            style={{
              padding: '1rem',
              background: 'var(--rl-bg)',
              color: 'var(--rl-text)',
              minHeight: context.viewMode === 'docs' ? undefined : '100vh',
            }}
          >
            <Story />
          </div>
        </RinglineMessagesProvider>
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
