import axe from 'axe-core'
import { expect } from 'vitest'

/** Runs axe on an element and fails with the rule ids and targets of any violation. */
export async function expectNoAxeViolations(element: Element): Promise<void> {
  const results = await axe.run(element, {
    // jsdom does not lay out or paint: contrast cannot be computed there.
    rules: { 'color-contrast': { enabled: false } },
  })
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
  expect(summary).toEqual([])
}
