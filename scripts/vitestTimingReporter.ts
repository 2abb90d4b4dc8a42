import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints, at the end of a run, how long each vitest project took (wall time from its first test file starting to
 * its last one ending, and the number of files): the per-group breakdown CI notes report.
 */
export default class TimingReporter implements Reporter {
  #spans = new Map<string, { start: number; end: number; files: number }>()
  #started = new Map<string, number>()
  #runStart = Date.now()

  onTestRunStart() {
    this.#runStart = Date.now()
  }

  onTestModuleStart(module: TestModule) {
    this.#started.set(module.moduleId, Date.now())
  }

  onTestModuleEnd(module: TestModule) {
    const start = this.#started.get(module.moduleId) ?? Date.now()
    const name = module.project.name || '(root)'
    const span = this.#spans.get(name) ?? { start, end: start, files: 0 }
    span.start = Math.min(span.start, start)
    span.end = Math.max(span.end, Date.now())
    span.files++
    this.#spans.set(name, span)
  }

  onTestRunEnd() {
    const rows = [...this.#spans.entries()].sort((a, b) => a[1].start - b[1].start)
    if (rows.length === 0) return
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    const lines = rows.map(
      ([name, span]) =>
        `  ${name.padEnd(16)} ${s(span.end - span.start).padStart(9)}  (${span.files} files, from +${s(span.start - this.#runStart)})`,
    )
    process.stdout.write(
      `\n[ringline] vitest time per project:\n${lines.join('\n')}\n  total ${s(Date.now() - this.#runStart)}\n`,
    )
  }
}
