const MAX_SHOWN = 64

/**
 * A bad value as an error message shows it: JSON for strings and plain data, `String()` for what
 * JSON cannot print (bigint, symbols, functions, cycles), cut to a readable length. Never throws.
 */
export function showValue(value: unknown): string {
  let text: string
  try {
    if (typeof value === 'bigint') text = `${value}n`
    else if (typeof value === 'number')
      text = Object.is(value, -0) ? '-0' : String(value) // JSON would print NaN as null
    else if (typeof value === 'string' && value.length > MAX_SHOWN)
      text = JSON.stringify(value.slice(0, MAX_SHOWN)) // no copy of a huge string
    else text = JSON.stringify(value) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}
