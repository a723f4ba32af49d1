import { type Meter, metrics } from '@opentelemetry/api'

/**
 * K2 reports counters and gauges through the OpenTelemetry API. Until the application registers an
 * SDK (a MeterProvider), every instrument is a no-op and costs next to nothing.
 */
export function k2Meter(component: string, version = '0.1.0'): Meter {
  return metrics.getMeter(`k2.${component}`, version)
}

export type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api'
