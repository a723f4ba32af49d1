/**
 * @k2/core — the types and rules every K2 package shares. No I/O; safe in Node, Deno and browsers.
 * @packageDocumentation
 */

export { type AsOf, type AsOfInput, toAsOf, toSnapshotId } from './as-of.js'
export type { DataFile, FileCatalog, Scalar, SnapshotFiles } from './catalog.js'
export {
  displayTable,
  escapeHtml,
  JUPYTER_DISPLAY,
  type MimeBundle,
  renderRecord,
  renderTable,
  type TableOptions,
  withDisplay,
} from './display.js'
export type { K2ErrorCode, K2ErrorOptions } from './errors.js'
export { excerpt, FeedError, K2_ERROR_CODES, K2Error, QueryError } from './errors.js'
export type { BookDelta, BookSnapshot, Candle, Level, MarketEvent, Quote, Side, Trade } from './events.js'
export {
  BookDeltaSchema,
  BookSnapshotSchema,
  CandleSchema,
  LevelSchema,
  MarketEventSchema,
  MicrosSchema,
  QuoteSchema,
  SideSchema,
  TradeSchema,
} from './events.js'
export type { BookDesync, DeadLetter, FeedEventMap, FeedEventName, FeedStatus, Gap, MarketEventSource, RawFrame } from './feed-events.js'
export { BookDesyncSchema, DeadLetterSchema, FeedStatusSchema, GapSchema, RawFrameSchema } from './feed-events.js'
export type { Logger, LogLevel } from './logger.js'
export { consoleLogger, silentLogger } from './logger.js'
export type { Counter, Histogram, Meter, Observable, ObservableGauge, ObservableResult } from './metrics.js'
export { k2Instruments, k2Meter } from './metrics.js'
export { showValue } from './show-value.js'
export type { CanonicalSymbol, Exchange } from './symbols.js'
export {
  EXCHANGES,
  ExchangeSchema,
  formatSymbol,
  isExchange,
  isSymbol,
  parseExchange,
  parseSymbol,
  SymbolSchema,
  validateSymbol,
} from './symbols.js'
export type { ColumnSpec, ColumnType, TableInputs, TableName, Tables } from './tables.js'
export { isTableName, TABLE_NAMES, TABLE_SCHEMAS } from './tables.js'
export type { Clock, Micros, TimeInput } from './time.js'
export {
  fromDate,
  fromIso,
  fromMillis,
  isMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MILLI,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  parseDuration,
  systemClock,
  toDate,
  toIso,
  toMicros,
  toMillis,
} from './time.js'
export type { ParsedTimeframe, Timeframe } from './timeframe.js'
export { bucketStart, isTimeframe, parseTimeframe, STANDARD_TIMEFRAMES, TimeframeSchema } from './timeframe.js'
export { validate } from './validate.js'
export type { Venue } from './venues.js'
export { IMPORT_VENUES, isVenue, parseVenue, toCanonicalSymbol, toNativeSymbol, VENUE_INFO, VENUES, venueQuotes } from './venues.js'
