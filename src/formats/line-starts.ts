/**
 * The index of the line holding `offset`, by binary search over the offsets where lines start (`starts[0]` is 0):
 * the last line that starts at or before it.
 */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  return lo
}
