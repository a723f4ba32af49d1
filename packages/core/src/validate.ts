import type { z } from 'zod'
import { K2Error } from './errors.js'

/**
 * Parses `value` with a schema and throws `K2Error('VALIDATION')` listing each failing field and why,
 * instead of zod's own error (so callers match one error type everywhere).
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`)
  const more = result.error.issues.length > 5 ? ` (+${result.error.issues.length - 5} more)` : ''
  throw new K2Error('VALIDATION', `invalid ${what}: ${problems.join('; ')}${more}`, {
    cause: result.error,
    details: { issues: result.error.issues },
  })
}
