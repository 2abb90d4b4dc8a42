import { describe, expect, it } from 'vitest'
import { createSseParser, type SseMessage } from './sseParser'

function parse(chunks: string[]) {
  const messages: SseMessage[] = []
  const retries: number[] = []
  let activity = 0
  const parser = createSseParser({
    onMessage: (m) => messages.push(m),
    onRetry: (ms) => retries.push(ms),
    onActivity: () => activity++,
  })
  for (const chunk of chunks) parser.feed(chunk)
  return { messages, retries, activity }
}

describe('createSseParser', () => {
  it('parses events with id, type and multi-line data', () => {
    const { messages } = parse(['id: 7\nevent: call.incoming\ndata: {"a":1,\ndata: "b":2}\n\n'])
    expect(messages).toEqual([{ id: '7', event: 'call.incoming', data: '{"a":1,\n"b":2}' }])
  })

  it('handles CRLF and CR line endings and chunks split anywhere, including inside CRLF', () => {
    const text = 'id: 1\r\ndata: x\r\n\r\nid: 2\rdata: y\r\r'
    for (let i = 1; i < text.length; i++) {
      const { messages } = parse([text.slice(0, i), text.slice(i)])
      expect(messages.map((m) => [m.id, m.data])).toEqual([
        ['1', 'x'],
        ['2', 'y'],
      ])
    }
  })

  it('ignores comments (heartbeats) but reports them as activity, and reads retry', () => {
    const { messages, retries, activity } = parse([': ping\n\nretry: 2500\nretry: soon\n'])
    expect(messages).toEqual([])
    expect(retries).toEqual([2500])
    expect(activity).toBe(4)
  })

  it('defaults the event type to message and leaves id undefined when absent', () => {
    const { messages } = parse(['data:no-space\n\n', 'data\n\n'])
    expect(messages).toEqual([
      { event: 'message', data: 'no-space', id: undefined },
      { event: 'message', data: '', id: undefined },
    ])
  })

  it('does not dispatch an event without data', () => {
    expect(parse(['event: call.updated\nid: 3\n\n']).messages).toEqual([])
  })
})
