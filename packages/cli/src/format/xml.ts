// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Text for XML 1.0 attribute values and character data: the five special characters escaped, and
 * characters XML 1.0 forbids (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF)
 * replaced by U+FFFD, so a hostile value in an example row cannot break the report; CR, LF and tab
 * as character references, so they read back as written.
 */
export function xmlText(text: string): string {
  return (
    text
      .replace(CONTROL, '\uFFFD')
      .replace(LONE_SURROGATE, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Readers turn a raw CR into LF, and tabs and line breaks in attributes into spaces: keep them as references.
      .replace(/\r/g, '&#13;')
      .replace(/\n/g, '&#10;')
      .replace(/\t/g, '&#9;')
  )
}
