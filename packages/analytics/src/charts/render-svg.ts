import { K2Error } from '@k2/core'
import { type CandlestickOptions, candlestickSpec, type VegaLiteSpec } from './candlestick-spec.js'
import type { CandleInput } from './chart-input.js'
import { loadVega } from './vega-modules.js'

/**
 * Renders a Vega-Lite spec to an SVG document, headless: vega-lite compiles it to Vega, and a Vega
 * view with no renderer draws it as SVG text. No canvas or native dependency; text uses the SVG
 * viewer's default sans-serif font.
 *
 * ```ts
 * await writeFile('btc.svg', await renderSvg(candlestickSpec(candles)))
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega()
  let compiled: ReturnType<typeof vegaLite.compile>
  try {
    // a copy: Vega tags the data objects it ingests (Symbol(vega_id)), and the spec is the caller's
    compiled = vegaLite.compile(structuredClone(spec) as unknown as Parameters<typeof vegaLite.compile>[0])
  } catch (cause) {
    throw new K2Error('VALIDATION', `not a Vega-Lite spec vega-lite can compile: ${(cause as Error).message}`, { cause })
  }
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize() // drops its timers and listeners, so a script can exit
  }
}

/** {@link candlestickSpec} rendered by {@link renderSvg}: an SVG document of the candles. */
export async function candlestickSvg(candles: CandleInput, opts?: CandlestickOptions): Promise<string> {
  return renderSvg(candlestickSpec(candles, opts))
}
