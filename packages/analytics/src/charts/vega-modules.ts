/**
 * vega and vega-lite ship only ESM. They are loaded on first use, by a dynamic `import()`, which the
 * CommonJS build keeps as a real `import()` (tsup/esbuild leave it alone for an es2022 target), so
 * `require('@k2/analytics')` never loads them and rendering works the same from CJS and ESM.
 * `test/package.test.ts` renders an SVG under both.
 */
type Vega = typeof import('vega')
type VegaLite = typeof import('vega-lite')

export interface VegaModules {
  vega: Vega
  vegaLite: VegaLite
}

let loading: Promise<VegaModules> | undefined

export function loadVega(): Promise<VegaModules> {
  loading ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }))
  // a failed load (a broken install) is not cached, so the next call tries again and says why again
  loading.catch(() => {
    loading = undefined
  })
  return loading
}
