const MAX_SHOWN = 64

/**
 * A bad value as an error message shows it: JSON for strings and plain data, `String()` for what
 * JSON cannot print (bigint, symbols, functions, cycles), cut to a readable length. Never throws.
 */
export function showValue(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value))
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}
