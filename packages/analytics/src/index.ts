/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

// Charts and notebook display (docs/charts.md)
export * from './charts/index.js'
