/** Characters a dial string may hold. */
const DIALABLE = /[^\d+*#]/g

/** Keeps only dialable characters; `+` only in front. */
export function sanitizeDialString(input: string): string {
  const cleaned = input.replace(DIALABLE, '')
  const plus = cleaned.startsWith('+') ? '+' : ''
  return plus + cleaned.replace(/\+/g, '')
}
