/**
 * Sums of `terms` over sliding windows [starts[i], i + endOffset), both edges non-decreasing in i.
 * NaN where starts[i] < 0 (the window is not complete yet).
 *
 * Why not prefix sums: prefix[b] − prefix[a] subtracts two running totals of the whole series and
 * loses the digits of a small window next to a large history (a 0.000001 BTC trade after 0.25 BTC
 * already gives ~1e-11 relative error, and a day of volume far more). This is the two-stack queue:
 * the front keeps suffix sums, the back a running sum, and nothing is ever subtracted, so each
 * window sum is only as inexact as adding up its own terms. O(1) amortized per row.
 */
export function windowSums(terms: Float64Array, starts: Int32Array, endOffset: 0 | 1): Float64Array {
  const out = new Float64Array(starts.length)
  const suffix = new Float64Array(terms.length)
  let lo = 0 // first term in the window
  let mid = 0 // front is [lo, mid) with suffix sums, back is [mid, hi) with backSum
  let hi = 0
  let backSum = 0
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number
    if (start < 0) {
      out[i] = Number.NaN
      continue
    }
    const end = i + endOffset
    for (; hi < end; hi++) backSum += terms[hi] as number
    for (; lo < start; lo++) {
      if (lo === mid) {
        // Front empty: move the back into it, as suffix sums.
        let acc = 0
        for (let k = hi - 1; k >= mid; k--) {
          acc += terms[k] as number
          suffix[k] = acc
        }
        mid = hi
        backSum = 0
      }
    }
    out[i] = (lo < mid ? (suffix[lo] as number) : 0) + backSum
  }
  return out
}
