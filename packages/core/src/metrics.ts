import { type Meter, metrics } from '@opentelemetry/api'

/**
 * K2 reports counters and gauges through the OpenTelemetry API. Until the application registers an
 * SDK (a MeterProvider), every instrument is a no-op and costs next to nothing.
 */
export function k2Meter(component: string, version = '0.1.0'): Meter {
  return metrics.getMeter(`k2.${component}`, version)
}

/**
 * Instruments made once per meter: `get()` returns what `make` built for the meter of `component`
 * now in force. The OpenTelemetry API hands out no-op meters (not proxies) until an SDK is
 * registered, so instruments made at import time would stay no-ops; and observable gauges made
 * twice would observe twice. This makes them on first use after each registration, once.
 */
export function k2Instruments<T>(component: string, make: (meter: Meter) => T): () => T {
  let made: { meter: Meter; instruments: T } | undefined
  return () => {
    const meter = k2Meter(component)
    if (made?.meter !== meter) made = { meter, instruments: make(meter) }
    return made.instruments
  }
}

export type { Counter, Histogram, Meter, Observable, ObservableGauge, ObservableResult } from '@opentelemetry/api'
