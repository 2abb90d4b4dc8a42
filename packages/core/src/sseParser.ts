/** One Server-Sent Event as the spec's parser yields it. */
export interface SseMessage {
  event: string
  data: string
  id: string | undefined
}

/** Callbacks of the SSE parser. */
export interface SseParserCallbacks {
  onMessage(message: SseMessage): void
  /** Server asked for a new reconnection delay. */
  onRetry?(ms: number): void
  /** Any line arrived, comments included (a heartbeat). */
  onActivity?(): void
}

/** Incremental text/event-stream parser (WHATWG HTML §9.2.6): feed decoded chunks, get messages. */
export function createSseParser(callbacks: SseParserCallbacks): { feed(chunk: string): void; reset(): void } {
  let buffer = ''
  let data: string[] = []
  let event = ''
  let id: string | undefined
  let sawId = false
  let pendingCr = false

  const dispatch = () => {
    if (data.length > 0) {
      callbacks.onMessage({ event: event || 'message', data: data.join('\n'), id: sawId ? id : undefined })
    }
    data = []
    event = ''
    sawId = false
  }

  const line = (text: string) => {
    callbacks.onActivity?.()
    if (text === '') return dispatch()
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    switch (field) {
      case 'data':
        data.push(value)
        break
      case 'event':
        event = value
        break
      case 'id':
        if (!value.includes('\0')) {
          id = value
          sawId = true
        }
        break
      case 'retry':
        if (/^\d+$/.test(value)) callbacks.onRetry?.(Number(value))
        break
    }
  }

  return {
    feed(chunk) {
      buffer += chunk
      let start = 0
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i]
        if (ch === '\n' && pendingCr) {
          // second half of a CRLF already handled at the CR
          pendingCr = false
          start = i + 1
          continue
        }
        pendingCr = false
        if (ch === '\r' || ch === '\n') {
          line(buffer.slice(start, i))
          start = i + 1
          if (ch === '\r') pendingCr = true
        }
      }
      buffer = buffer.slice(start)
    },
    reset() {
      buffer = ''
      data = []
      event = ''
      sawId = false
      pendingCr = false
    },
  }
}
