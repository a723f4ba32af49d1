import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { K2Error } from '@k2/core'
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import type { MetricsAddress } from './metrics-address.js'
import type { Readiness } from './readiness.js'

export interface MetricsServer {
  /** The URL it listens on, e.g. http://127.0.0.1:9464 (the real port when 0 was asked for). */
  readonly url: string
  close(): Promise<void>
}

/**
 * One node:http server for the scraper and the supervisor: `/metrics` is rendered by the
 * exporter's own request handler (`getMetricsRequestHandler`), `/healthz` answers 200 while the
 * process runs, `/readyz` 200 when `ready()` says so and 503 otherwise, each with a JSON body.
 */
export async function startMetricsServer(
  address: MetricsAddress,
  exporter: PrometheusExporter,
  ready: () => Readiness,
): Promise<MetricsServer> {
  const server = createServer((req, res) => route(req, res, exporter, ready))
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new K2Error(
          e.code === 'EADDRINUSE' || e.code === 'EACCES' ? 'VALIDATION' : 'IO',
          `cannot serve metrics on ${address.host}:${address.port} (${e.code ?? e.message}): pick another --metrics port, or :0 for any free one`,
          { cause: e },
        ),
      ),
    )
    server.listen(address.port, address.host, () => resolve())
  })
  const bound = server.address() as AddressInfo
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections() // a scraper's keep-alive connection must not hold the exit
      }),
  }
}

function route(req: IncomingMessage, res: ServerResponse, exporter: PrometheusExporter, ready: () => Readiness): void {
  const path = (req.url ?? '/').split('?')[0]
  if (req.method !== 'GET' && req.method !== 'HEAD') json(res, 405, { error: 'only GET and HEAD' })
  else if (path === '/metrics') exporter.getMetricsRequestHandler(req, res)
  else if (path === '/healthz') json(res, 200, { status: 'ok' })
  else if (path === '/readyz') {
    const r = ready()
    json(res, r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', reasons: r.reasons })
  } else json(res, 404, { error: `no ${path} here: try /metrics, /healthz or /readyz` })
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(`${JSON.stringify(body)}\n`)
}
