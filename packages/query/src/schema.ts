import {
  type ColumnSpec,
  type ColumnType,
  isTableName,
  K2Error,
  showValue,
  TABLE_NAMES,
  TABLE_SCHEMAS,
  type TableName,
  type Tables,
} from '@k2/core'

/** Column names of a lake table: `ColumnName<'silver.trades'>` is `'exchange' | 'symbol' | … | 'recv_ts'`. */
export type ColumnName<T extends TableName> = keyof Tables[T] & string

/** The Iceberg type of one column, from `TABLE_SCHEMAS`: `ColumnTypeOf<'silver.trades', 'ts'>` is `'timestamptz'`. */
export type ColumnTypeOf<T extends TableName, C extends ColumnName<T>> = Extract<(typeof TABLE_SCHEMAS)[T][number], { name: C }>['type']

/** Columns of `T` whose type is one of `K`: `ColumnsOfType<'silver.trades', 'timestamptz'>` is `'ts' | 'recv_ts'`. */
export type ColumnsOfType<T extends TableName, K extends ColumnType> = {
  [C in ColumnName<T>]: ColumnTypeOf<T, C> extends K ? C : never
}[ColumnName<T>]

/** Columns that can be summed or averaged. */
export type NumericColumn<T extends TableName> = ColumnsOfType<T, 'double' | 'long' | 'int'>

/** Columns with an order (for ranges, min/max, between). */
export type OrderedColumn<T extends TableName> = ColumnsOfType<T, 'double' | 'long' | 'int' | 'timestamptz' | 'string'>

/** Time columns (epoch µs in TypeScript, TIMESTAMPTZ in Parquet). */
export type TimeColumn<T extends TableName> = ColumnsOfType<T, 'timestamptz'>

const SPECS = new Map<string, Map<string, ColumnSpec>>(
  TABLE_NAMES.map((t) => [t, new Map((TABLE_SCHEMAS[t] as readonly ColumnSpec[]).map((c) => [c.name, c]))]),
)

/** Throws `K2Error('VALIDATION')` unless `table` names a lake table. */
export function checkTable(table: unknown): TableName {
  if (isTableName(table)) return table
  throw new K2Error('VALIDATION', `unknown table ${showValue(table)}: expected one of ${TABLE_NAMES.join(', ')}`, { details: { table } })
}

/** The column's spec, or `K2Error('VALIDATION')` naming the table's columns (for JavaScript callers and typos). */
export function columnSpec(table: TableName, column: unknown): ColumnSpec {
  const spec = typeof column === 'string' ? SPECS.get(table)?.get(column) : undefined
  if (spec) return spec
  throw new K2Error('VALIDATION', `unknown column ${showValue(column)} in ${table}: expected one of ${columnNames(table).join(', ')}`, {
    details: { table, column },
  })
}

export function columnNames(table: TableName): string[] {
  return [...(SPECS.get(table)?.keys() ?? [])]
}

export function columnSpecs(table: TableName): readonly ColumnSpec[] {
  return TABLE_SCHEMAS[table] as readonly ColumnSpec[]
}

/** The table's event-time column (its first timestamptz column): `first`/`last` order by it and buckets default to it. */
export function timeColumnOf(table: TableName): string | undefined {
  return columnSpecs(table).find((c) => c.type === 'timestamptz')?.name
}
