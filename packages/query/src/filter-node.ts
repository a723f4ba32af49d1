import type { Scalar } from '@k2/core'

/** Comparison operators a filter may use. */
export const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>='] as const
export type CompareOp = (typeof COMPARE_OPS)[number]

/** One condition on one column (values: strings, finite numbers, times as epoch µs, booleans); every value in it has been checked against the column's type. */
export type FilterNode =
  | { readonly kind: 'compare'; readonly column: string; readonly op: CompareOp; readonly value: Scalar }
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly Scalar[]; readonly negated: boolean }
  | { readonly kind: 'null'; readonly column: string; readonly negated: boolean }

export function compareNode(column: string, op: CompareOp, value: Scalar): FilterNode {
  return Object.freeze({ kind: 'compare', column, op, value })
}

export function inNode(column: string, values: readonly Scalar[], negated: boolean): FilterNode {
  return Object.freeze({ kind: 'in', column, values: Object.freeze([...values]), negated })
}

export function nullNode(column: string, negated: boolean): FilterNode {
  return Object.freeze({ kind: 'null', column, negated })
}
