/** Frame figures of a run of requestAnimationFrame timestamps. */
export interface FrameFigures {
  frames: number
  seconds: number
  averageFps: number
  /** The 95th-percentile frame time (ms) and the frame rate it stands for (the 5th-percentile fps). */
  p95FrameMs: number
  p5Fps: number
  maxFrameMs: number
  /** Frames longer than 50 ms. */
  longFrames: number
}

/** Average and tail frame rates of rAF timestamps `stamps` (ms, ascending). */
export function frameFigures(stamps: number[]): FrameFigures {
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!)
  const sorted = [...gaps].sort((a, b) => a - b)
  const seconds = ((stamps[stamps.length - 1] ?? 0) - (stamps[0] ?? 0)) / 1000
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0
  return {
    frames: gaps.length,
    seconds,
    averageFps: seconds ? gaps.length / seconds : 0,
    p95FrameMs: p95,
    p5Fps: p95 ? 1000 / p95 : 0,
    maxFrameMs: sorted[sorted.length - 1] ?? 0,
    longFrames: gaps.filter((g) => g > 50).length,
  }
}
