import type { CheckReport, CheckResult } from '@k2/analytics'
import { toIso } from '@k2/core'
import { jsonReplacer } from './cells.js'
import { xmlText } from './xml.js'

/** Fields of example rows that hold epoch µs: shown as ISO-8601 in the report and the JUnit file. */
const TIME_FIELDS = new Set(['start', 'ts', 'recv_ts', 'recvTs', 'previousTs', 'bucket', 'start_ts', 'end_ts'])

/** One example row on one line, times as ISO-8601. */
export function exampleText(example: unknown): string {
  return JSON.stringify(example, (key, value) => {
    if (TIME_FIELDS.has(key) && typeof value === 'number' && Number.isSafeInteger(value)) return toIso(value)
    return jsonReplacer(key, value)
  })
}

/**
 * The report for a person: one line per check (✓ or ✗, name, table, counts), and under each
 * failure its first examples, then the summary line.
 */
export function checkReportLines(report: CheckReport, opts: { examples: number }): string[] {
  const width = Math.max(...report.checks.map((c) => c.name.length), 5)
  const tw = Math.max(...report.checks.map((c) => c.target.length), 5)
  const out: string[] = []
  for (const c of report.checks) {
    const counts = c.passed ? `${c.checked} ${c.unit} examined` : `${c.count} of ${c.checked} ${c.unit}: ${c.message}`
    out.push(`${c.passed ? '✓' : '✗'} ${c.name.padEnd(width)}  ${c.target.padEnd(tw)}  ${counts}`)
    if (!c.passed) {
      for (const e of c.examples.slice(0, opts.examples)) out.push(`    ${exampleText(e)}`)
      const shown = Math.min(c.examples.length, opts.examples)
      if (c.count > shown) out.push(`    … ${c.count - shown} more`)
    }
  }
  if (report.checks.length === 0) out.push('no checks ran: the lake (or the selection) has no candles or trades')
  out.push('', report.summary())
  return out
}

/**
 * JUnit XML, as CI systems read it (GitHub Actions, GitLab, Jenkins): one testsuite per table
 * checked, one testcase per check, a failure element with the check's message and its example rows.
 */
export function junitXml(report: CheckReport, opts: { seconds: number; timestamp: string; lake: string }): string {
  const byTarget = new Map<string, CheckResult[]>()
  for (const c of report.checks) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c])
  const attrs = (o: Record<string, string | number>) =>
    Object.entries(o)
      .map(([k, v]) => ` ${k}="${xmlText(String(v))}"`)
      .join('')
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'k2 check', tests: report.checks.length, failures: report.failures.length, errors: 0, time: opts.seconds.toFixed(3) })}>`,
  ]
  for (const [target, checks] of byTarget) {
    const failures = checks.filter((c) => !c.passed).length
    lines.push(
      `  <testsuite${attrs({ name: target, tests: checks.length, failures, errors: 0, skipped: 0, timestamp: opts.timestamp, time: 0 })}>`,
    )
    lines.push('    <properties>')
    lines.push(`      <property${attrs({ name: 'lake', value: opts.lake })}/>`)
    const snapshot = report.snapshots[target]
    if (snapshot !== undefined) lines.push(`      <property${attrs({ name: 'snapshot', value: snapshot ?? 'none' })}/>`)
    lines.push('    </properties>')
    for (const c of checks) {
      const head = `    <testcase${attrs({ name: c.name, classname: `k2.check.${target}`, time: 0 })}`
      if (c.passed) {
        lines.push(
          `${head}>`,
          `      <system-out>${xmlText(`${c.checked} ${c.unit} examined: ${c.message}`)}</system-out>`,
          '    </testcase>',
        )
        continue
      }
      const body = [c.message, ...c.examples.map(exampleText)].join('\n')
      lines.push(`${head}>`)
      lines.push(`      <failure${attrs({ message: `${c.count} ${c.unit}: ${c.message}`, type: c.name })}>${xmlText(body)}</failure>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}
