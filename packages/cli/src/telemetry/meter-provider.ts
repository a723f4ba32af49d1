import { metrics } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

/** The process's OpenTelemetry SDK: every K2 instrument made from now on reports to `exporter`. */
export interface Telemetry {
  /** Renders the Prometheus text format on request (its own server is not started). */
  readonly exporter: PrometheusExporter
  shutdown(): Promise<void>
}

/**
 * Registers a MeterProvider whose only reader is a Prometheus exporter, as the global provider the
 * `@k2/*` libraries reach through `@opentelemetry/api`. Call it before opening feeds or writers:
 * instruments made earlier are no-ops. `shutdown()` unregisters it, so a later command in the same
 * process (the in-process tests) can register again.
 */
export function startTelemetry(service: { name: string; version: string }): Telemetry {
  // preventServerStart: our own HTTP server serves /metrics next to /healthz and /readyz.
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service.name, 'service.version': service.version }),
    readers: [exporter],
  })
  if (!metrics.setGlobalMeterProvider(provider)) {
    metrics.disable() // a provider left by an earlier command in this process
    metrics.setGlobalMeterProvider(provider)
  }
  return {
    exporter,
    async shutdown() {
      metrics.disable()
      await provider.shutdown()
    },
  }
}
