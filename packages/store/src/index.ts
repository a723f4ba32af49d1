/**
 * @k2/store — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/store'
