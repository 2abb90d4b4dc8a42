import { describe, expect, it } from 'vitest'
import {
  inboundRoomPrefix,
  internalRoomName,
  outboundRoomName,
  RINGLINE_ROOM_PREFIXES,
  readyCheckRoomName,
} from './tokens'

describe('RINGLINE_ROOM_PREFIXES', () => {
  it('names the prefix of every room Ringline makes, one per kind', () => {
    const names = [
      internalRoomName('acme', 'standup'),
      outboundRoomName('acme', 'c1'),
      `${inboundRoomPrefix('acme')}_+15550001111_abc`,
      readyCheckRoomName('acme', 'r1'),
    ]
    expect(names.map((n) => RINGLINE_ROOM_PREFIXES.filter((p) => n.startsWith(p)))).toEqual([
      ['int-'],
      ['out-'],
      ['in-'],
      ['rc-'],
    ])
  })
})
