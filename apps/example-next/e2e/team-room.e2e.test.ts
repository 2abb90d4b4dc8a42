import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3102 })
})

afterAll(async () => {
  await e2e?.close()
})

async function join(page: Page, room: string) {
  await open(page, `${e2e.app.url}/team`)
  await page.getByLabel('Room name').fill(room)
  await page.getByRole('button', { name: 'Join room' }).click()
  await page.getByText('Connected').first().waitFor({ timeout: 30_000 })
}

async function participantCount(page: Page, count: number) {
  await page.getByText(`${count} participants`).first().waitFor({ timeout: 30_000 })
}

describe('team room (internal call) in Chromium', () => {
  const room = `standup-${Date.now().toString(36)}`

  it('two users of one tenant hear each other; a user of another tenant lands elsewhere; the creator ends it', async () => {
    const alice = await e2e.signIn('alice')
    const bob = await e2e.signIn('bob')
    const carol = await e2e.signIn('carol')

    await join(alice.page, room)
    await join(bob.page, room)
    await participantCount(alice.page, 2)
    await participantCount(bob.page, 2)

    // Each browser plays the other's fake-microphone beeps.
    await expect.poll(() => remoteAudioLevel(alice.page), { timeout: 20_000 }).toBeGreaterThan(0.01)
    await expect.poll(() => remoteAudioLevel(bob.page), { timeout: 20_000 }).toBeGreaterThan(0.01)

    // Same name, other tenant: a different LiveKit room, alone in it.
    await join(carol.page, room)
    await carol.page.getByText('1 participant').first().waitFor({ timeout: 30_000 })
    await expect(alice.page.getByText('3 participants').count()).resolves.toBe(0)

    // Alice created the room: ending it disconnects Bob.
    await alice.page.getByRole('button', { name: 'End for everyone' }).click()
    await bob.page.getByText('The room was ended.').first().waitFor({ timeout: 30_000 })
  })
})
