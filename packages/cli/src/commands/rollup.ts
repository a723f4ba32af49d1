import { rollup } from '@k2/analytics'
import { parseTimeframe, type Timeframe } from '@k2/core'
import { Command, InvalidArgumentError } from 'commander'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption, listArg } from '../options.js'
import { startProgress } from '../progress.js'
import { examples } from './help.js'
import { withLake } from './open-lake.js'

export const DEFAULT_TIMEFRAMES: readonly Timeframe[] = ['1m', '5m', '30m', '1h', '1d']

function timeframesArg(text: string): Timeframe[] {
  const list = listArg(text)
  for (const t of list) {
    try {
      parseTimeframe(t)
    } catch {
      throw new InvalidArgumentError(`"${t}" is not a timeframe: expected e.g. 1m, 5m, 1h, 1d (a whole number and s, m, h or d)`)
    }
  }
  if (list.length === 0) throw new InvalidArgumentError('expected timeframes such as 1m,5m,1h,1d')
  return list as Timeframe[]
}

export function rollupCommand(io: CliIo): Command {
  return new Command('rollup')
    .description('bring gold.ohlcv up to date: exact candles of every timeframe, only for buckets with new trades')
    .addOption(lakeOption())
    .option('--timeframes <list>', 'timeframes kept in gold, comma-separated', timeframesArg, [...DEFAULT_TIMEFRAMES])
    .option('--full', 'recompute every candle from the trades')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `${examples(['k2 rollup', 'k2 rollup --timeframes 1m,1h,1d', 'k2 rollup --full --json'])}

Rerunning with nothing new is a no-op (mode "unchanged"). Candles older than each timeframe's
retention (1m 90d, 5m 180d, 30m/1h 730d, 1d 1825d) are not kept; see docs/rollup.md.`,
    )
    .action(async (opts: { lake: string; timeframes: Timeframe[]; full?: boolean; json?: boolean }) => {
      await withLake(opts.lake, async (lake) => {
        // Steps: each timeframe's candles (the narrowest, from trades, is most of the work), the commit, retention.
        const progress = startProgress(io, {
          label: `rollup ${opts.timeframes.join(',')}`,
          unit: 'steps',
          total: opts.timeframes.length + 2,
        })
        const r = await rollup(lake, {
          timeframes: opts.timeframes,
          ...(opts.full ? { full: true } : {}),
          onProgress: (p) => progress.update(p.done, p.total),
        })
        const candles = Object.values(r.buckets).reduce((a, b) => a + b, 0)
        progress.stop(`rollup: ${r.mode}, ${candles} candles written from ${r.rowsRead.trades} trades`)
        if (opts.json) return io.out(toJson(r))
        io.out(`mode       ${r.mode}${r.mode === 'unchanged' ? ' (no new trades or coverage since the last roll-up)' : ''}`)
        for (const [tf, n] of Object.entries(r.buckets)) io.out(`${tf.padEnd(10)} ${n} candles written`)
        io.out(`trades     ${r.rowsRead.trades} read (${r.rowsRead.silverChanged} new since the last roll-up)`)
        io.out(`gold       snapshot ${r.snapshotId ?? 'none (nothing written)'}`)
        io.out(`silver     snapshot ${r.silverSnapshotId ?? 'none'}`)
        if (r.retention.deletedRows > 0) io.out(`retention  ${r.retention.deletedRows} old candles deleted`)
      })
    })
}
