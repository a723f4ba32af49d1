import type { VegaLiteSpec } from './candlestick-spec.js'

/**
 * The Vega-Lite MIME type JupyterLab 4 renders (its built-in vega5-extension registers Vega-Lite v3,
 * v4 and v5, not v6). The specs use nothing Vega-Lite 5 lacks, so they go out as v5.
 */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json'
const V5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/**
 * What a chart shows in a notebook. No `text/html`: JupyterLab prefers HTML (rank 50) to Vega-Lite
 * (rank 57), so a bundle with HTML in it would show the HTML instead of the chart.
 */
export interface ChartMimeBundle {
  readonly [VEGA_LITE_MIME]: VegaLiteSpec
  /** For frontends without Vega; JupyterLab ranks it below the spec. */
  readonly 'image/svg+xml'?: string
  readonly 'text/plain': string
}

export function chartBundle(spec: VegaLiteSpec, svg: string | undefined): ChartMimeBundle {
  return {
    [VEGA_LITE_MIME]: { ...spec, $schema: V5_SCHEMA },
    ...(svg === undefined ? {} : { 'image/svg+xml': svg }),
    'text/plain': summary(spec),
  }
}

/** The title and subtitle of a spec, as one line of text. */
function summary(spec: VegaLiteSpec): string {
  const title = spec.title as { text?: string; subtitle?: string } | string | undefined
  if (typeof title === 'string') return title
  return [title?.text, title?.subtitle].filter((t) => t !== undefined && t !== '').join(': ') || 'a chart'
}
