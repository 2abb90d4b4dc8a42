/** Reads a text/event-stream body and collects parsed frames. */
export class SseReader {
  readonly frames: Array<{ id?: string; data?: unknown; comment?: string }> = []
  private buffer = ''
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly decoder = new TextDecoder()
  done = false

  constructor(response: Response) {
    if (!response.body) throw new Error('no body')
    this.reader = response.body.getReader()
  }

  private parse(): void {
    let index = this.buffer.indexOf('\n\n')
    while (index >= 0) {
      const block = this.buffer.slice(0, index)
      this.buffer = this.buffer.slice(index + 2)
      const frame: { id?: string; data?: unknown; comment?: string } = {}
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim()
        else if (line.startsWith('id: ')) frame.id = line.slice(4)
        else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6))
      }
      this.frames.push(frame)
      index = this.buffer.indexOf('\n\n')
    }
  }

  /** Reads until `predicate` holds for some frame (or the stream ends / times out). */
  async until(predicate: (frames: SseReader['frames']) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate(this.frames)) {
      if (this.done) throw new Error('stream ended')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 500)}`)
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left)),
      ])
      if (chunk === 'timeout') continue
      if (chunk.done) {
        this.done = true
        continue
      }
      this.buffer += this.decoder.decode(chunk.value, { stream: true })
      this.parse()
    }
  }

  /** Events (frames with data). */
  events(): Array<{ id: string; type: string; [k: string]: unknown }> {
    return this.frames.filter((f) => f.data !== undefined).map((f) => f.data as { id: string; type: string })
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {})
  }
}
