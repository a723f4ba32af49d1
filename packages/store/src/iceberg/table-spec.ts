import type { ColumnSpec, ColumnType, TableName } from '@k2/core'
import { TABLE_SCHEMAS } from '@k2/core'

/**
 * How each lake table maps onto Iceberg: field ids (1..n in column order, never reused), the
 * partition spec, the sort order inside a file, and which string columns have few distinct values
 * (staged as dictionary codes, which is what makes the JS → DuckDB path fast).
 */

export type PartitionTransform = 'day' | 'month' | 'identity'

export interface PartitionField {
  sourceColumn: string
  sourceId: number
  fieldId: number
  name: string
  transform: PartitionTransform
}

export interface TableSpec {
  name: TableName
  columns: readonly (ColumnSpec & { id: number })[]
  partition: readonly PartitionField[]
  sortBy: readonly string[]
  /** String columns with few distinct values per batch. */
  lowCardinality: ReadonlySet<string>
  /** Columns whose tuple is unique in the table (deduplicated on write), if any. */
  uniqueKey: readonly string[] | null
  /** The time column that retention policies and the day partition use. */
  timeColumn: string
}

const LOW_CARD = new Set(['exchange', 'symbol', 'side', 'channel', 'kind', 'timeframe', 'state', 'healed_by', 'error_code', 'source'])

interface Layout {
  partition: [string, PartitionTransform][]
  sortBy: string[]
  uniqueKey?: string[]
  timeColumn: string
}

const LAYOUTS: Record<TableName, Layout> = {
  'bronze.frames': {
    partition: [
      ['recv_ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['recv_ts'],
    timeColumn: 'recv_ts',
  },
  'bronze.dlq': {
    partition: [
      ['recv_ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['recv_ts'],
    timeColumn: 'recv_ts',
  },
  'bronze.coverage': {
    partition: [
      ['start_ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['symbol', 'start_ts'],
    timeColumn: 'start_ts',
  },
  'silver.trades': {
    partition: [
      ['ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['symbol', 'ts'],
    uniqueKey: ['exchange', 'symbol', 'id'],
    timeColumn: 'ts',
  },
  'silver.book': {
    partition: [
      ['ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['symbol', 'ts'],
    timeColumn: 'ts',
  },
  'silver.quotes': {
    partition: [
      ['ts', 'day'],
      ['exchange', 'identity'],
    ],
    sortBy: ['symbol', 'ts'],
    timeColumn: 'ts',
  },
  'gold.ohlcv': {
    partition: [
      ['timeframe', 'identity'],
      ['start', 'month'],
    ],
    sortBy: ['symbol', 'start'],
    timeColumn: 'start',
  },
}

function partitionName(column: string, transform: PartitionTransform): string {
  return transform === 'identity' ? column : `${column}_${transform}`
}

function buildSpec(name: TableName): TableSpec {
  const columns = TABLE_SCHEMAS[name].map((c, i) => ({ ...c, id: i + 1 }))
  const layout = LAYOUTS[name]
  const partition = layout.partition.map(([col, transform], i) => {
    const source = columns.find((c) => c.name === col)
    if (!source) throw new Error(`table ${name}: partition source ${col} is not a column`)
    return { sourceColumn: col, sourceId: source.id, fieldId: 1000 + i, name: partitionName(col, transform), transform }
  })
  return {
    name,
    columns,
    partition,
    sortBy: layout.sortBy,
    lowCardinality: new Set(columns.filter((c) => c.type === 'string' && LOW_CARD.has(c.name)).map((c) => c.name)),
    uniqueKey: layout.uniqueKey ?? null,
    timeColumn: layout.timeColumn,
  }
}

const SPECS = new Map<TableName, TableSpec>()

/** The Iceberg layout of a lake table (cached). */
export function tableSpec(name: TableName): TableSpec {
  let spec = SPECS.get(name)
  if (!spec) {
    spec = buildSpec(name)
    SPECS.set(name, spec)
  }
  return spec
}

const ICEBERG_TYPES: Record<ColumnType, string> = {
  string: 'string',
  long: 'long',
  int: 'int',
  double: 'double',
  boolean: 'boolean',
  timestamptz: 'timestamptz',
}

/** The Iceberg schema JSON (schema-id 0) of a table. */
export function icebergSchema(spec: TableSpec): Record<string, unknown> {
  return {
    type: 'struct',
    'schema-id': 0,
    fields: spec.columns.map((c) => ({
      id: c.id,
      name: c.name,
      required: c.required,
      type: ICEBERG_TYPES[c.type],
      ...(c.doc ? { doc: c.doc } : {}),
    })),
  }
}

/** The partition spec JSON (spec-id 0). */
export function icebergPartitionSpec(spec: TableSpec): { 'spec-id': number; fields: Record<string, unknown>[] } {
  return {
    'spec-id': 0,
    fields: spec.partition.map((p) => ({ 'source-id': p.sourceId, 'field-id': p.fieldId, name: p.name, transform: p.transform })),
  }
}

/** `schema.name-mapping.default`: lets readers map files without field ids by name. */
export function nameMapping(spec: TableSpec): string {
  return JSON.stringify(spec.columns.map((c) => ({ 'field-id': c.id, names: [c.name] })))
}
