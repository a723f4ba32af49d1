import { InvalidArgumentError } from 'commander'

/** Where the metrics endpoint listens. */
export interface MetricsAddress {
  host: string
  port: number
}

/** Loopback unless a host is named: a capture box's metrics are not for the whole network by accident. */
export const DEFAULT_METRICS_HOST = '127.0.0.1'

/**
 * `--metrics [host]:port` → { host, port }: `:9464` and `9464` listen on 127.0.0.1; `0.0.0.0:9464`,
 * `[::1]:9464` or `myhost:9464` on that host. Port 0 takes a free port (printed at start).
 */
export function metricsAddressArg(text: string): MetricsAddress {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim())
  const port = Number(m?.[2])
  if (!m || !Number.isSafeInteger(port) || port > 65_535)
    throw new InvalidArgumentError(`expected [host]:port, e.g. :9464 or 0.0.0.0:9464 (got "${text}")`)
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1')
  return { host: host || DEFAULT_METRICS_HOST, port }
}
