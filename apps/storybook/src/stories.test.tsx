import { composeStories } from '@storybook/react'
import axe from 'axe-core'
import { describe, expect, it } from 'vitest'

type StoryModule = Parameters<typeof composeStories>[0]

const modules = import.meta.glob<StoryModule>('./stories/*.stories.tsx', { eager: true })

describe.each(Object.entries(modules))('%s', (_path, module) => {
  // Story modules are typed loosely by the glob; each composed story can `run()` into a canvas.
  const stories = Object.entries(composeStories(module)) as Array<
    [string, { run(context?: { canvasElement?: HTMLElement }): Promise<void> }]
  >
  it.each(stories)('%s renders, plays and has no axe violations', async (_name, Story) => {
    const canvasElement = document.createElement('div')
    document.body.append(canvasElement)
    try {
      await Story.run({ canvasElement })
      const component = canvasElement.querySelector('[class^="rl-"], [class*=" rl-"]')
      expect(component, 'the story renders a Ringline component').not.toBeNull()
      expect(component!.hasAttribute('data-state')).toBe(true)
      const results = await axe.run(canvasElement, { rules: { 'color-contrast': { enabled: false } } })
      expect(
        results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([])
    } finally {
      canvasElement.remove()
    }
  })
})
