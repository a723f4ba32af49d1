/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

// Invariant checks and reconciliation (docs/checks.md)
export {
  type CandleInput,
  type CandleKey,
  CHECK_NAMES,
  type CheckName,
  type CheckOptions,
  CheckReport,
  type CheckResult,
  type CheckTarget,
  type CheckUnit,
  check,
  type FieldDifference,
  RECONCILE_FIELDS,
  type ReconcileField,
  type ReconcileOptions,
  ReconcileReport,
  reconcile,
  type Tolerance,
  type TradeInput,
} from './checks/index.js'
