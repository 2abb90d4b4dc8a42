/**
 * Just enough of Ogg (RFC 3533) and Ogg Opus (RFC 7845) to tell how long a recording is: the granule position of
 * the last page, less the first page's and the encoder's pre-skip, at Opus's fixed 48 kHz.
 */
export interface OggOpusInfo {
  pages: number
  channels: number
  preSkip: number
  /** Granule position of the first page carrying audio (non-zero when the stream starts late). */
  firstGranule: bigint
  lastGranule: bigint
  /** Seconds of audio. */
  durationSeconds: number
}

export function parseOggOpus(bytes: Uint8Array): OggOpusInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  let pages = 0
  let channels = 0
  let preSkip = 0
  let firstGranule: bigint | undefined
  let lastGranule = 0n
  while (offset + 27 <= bytes.length) {
    if (view.getUint32(offset) !== 0x4f676753) throw new Error(`no Ogg page at byte ${offset}`) // "OggS"
    const granule = view.getBigInt64(offset + 6, true)
    const segments = bytes[offset + 26]!
    let size = 0
    for (let i = 0; i < segments; i++) size += bytes[offset + 27 + i]!
    const body = offset + 27 + segments
    if (pages === 0) {
      const magic = new TextDecoder().decode(bytes.subarray(body, body + 8))
      if (magic !== 'OpusHead')
        throw new Error(`not Ogg Opus (first packet starts with ${JSON.stringify(magic)})`)
      channels = bytes[body + 9]!
      preSkip = view.getUint16(body + 10, true)
    }
    // Header pages carry granule 0 (and -1 means "no packet ends here").
    if (granule > 0n) {
      if (firstGranule === undefined) firstGranule = granule
      lastGranule = granule
    }
    pages++
    offset = body + size
  }
  if (pages === 0) throw new Error('empty Ogg stream')
  return {
    pages,
    channels,
    preSkip,
    firstGranule: firstGranule ?? 0n,
    lastGranule,
    durationSeconds: Math.max(0, Number(lastGranule) - preSkip) / 48_000,
  }
}
