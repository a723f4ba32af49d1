import { K2Error, showValue } from '@k2/core'
import {
  ACC_LIMIT,
  BigDecimal,
  type BigDecimalValue,
  decimalOfDouble,
  FAST_LIMIT,
  fastScaleOf,
  MAX_FAST_SCALE,
  POW10,
  parseDecimal,
  totalOf,
} from './decimal.js'

/**
 * An exact sum of decimals, rounded once. A float64 term stands for its shortest round-trip decimal
 * (`String(x)`: 0.1 is 0.1), so `0.1 + 0.2` sums to 0.3 and the result is the same in any order or
 * grouping (docs/candles.md, "Exact sums"). Terms may also be exact decimal strings, such as the
 * `*_exact` columns of gold candles.
 *
 * @example
 * const s = new ExactSum()
 * s.add(0.1); s.add(0.2); s.add('12.5')
 * s.value()  // 12.8
 * s.exact()  // "12.8"
 */
export class ExactSum {
  /** Decimals of `fast`, an exact integer below 2^52 in magnitude. */
  private scale = 0
  private pow = 1
  private fast = 0
  /** What did not fit the fast part (huge or very precise terms), exact. */
  private big: BigDecimal | undefined

  /** Adds a finite number (as its shortest decimal) or an exact decimal string. */
  add(term: number | string): this {
    if (typeof term === 'number') {
      const n = Math.round(term * this.pow)
      if (n / this.pow === term && n < FAST_LIMIT && n > -FAST_LIMIT) this.addFast(n)
      else this.addSlow(checkedDouble(term))
    } else this.addDecimal(checkedDecimal(term))
    return this
  }

  /** Adds D(price) · D(qty), exactly. */
  addProduct(price: number, qty: number): this {
    const p = decimalOfDouble(checkedDouble(price))
    const q = decimalOfDouble(checkedDouble(qty))
    this.addDecimal({ m: p.m * q.m, s: p.s + q.s })
    return this
  }

  /** Adds everything another sum holds. */
  merge(other: ExactSum): this {
    this.addDecimal(parseDecimal(other.exact()) as BigDecimalValue)
    return this
  }

  /** The exact sum rounded once to the nearest float64. */
  value(): number {
    return totalOf(this.fast, this.scale, this.big).value
  }

  /** The exact sum in plain notation without trailing zeros: "12.5", "0", "-0.3". */
  exact(): string {
    return totalOf(this.fast, this.scale, this.big).exact
  }

  private addFast(n: number): void {
    this.fast += n
    if (this.fast > ACC_LIMIT || this.fast < -ACC_LIMIT) this.spill()
  }

  private addSlow(x: number): void {
    const s = fastScaleOf(x)
    if (s > this.scale && this.rescale(s)) {
      this.add(x)
      return
    }
    this.addDecimal(decimalOfDouble(x))
  }

  private addDecimal(d: BigDecimalValue): void {
    if (d.s <= MAX_FAST_SCALE && d.m < BigInt(FAST_LIMIT) && d.m > -BigInt(FAST_LIMIT)) {
      if (d.s > this.scale) this.rescale(d.s)
      if (d.s <= this.scale) {
        const n = Number(d.m) * (POW10[this.scale - d.s] as number)
        if (n < FAST_LIMIT && n > -FAST_LIMIT) {
          this.addFast(n)
          return
        }
      }
    }
    this.big ??= new BigDecimal()
    this.big.add(d.m, d.s)
  }

  /** Moves the fast part to more decimals; false when the scale would leave float64's exact powers. */
  private rescale(scale: number): boolean {
    if (scale > MAX_FAST_SCALE) return false
    const grown = this.fast * (POW10[scale - this.scale] as number)
    if (grown > ACC_LIMIT || grown < -ACC_LIMIT) {
      this.spill()
      this.fast = 0
    } else this.fast = grown
    this.scale = scale
    this.pow = POW10[scale] as number
    return true
  }

  private spill(): void {
    this.big ??= new BigDecimal()
    this.big.add(BigInt(this.fast), this.scale)
    this.fast = 0
  }
}

function checkedDouble(x: number): number {
  if (!Number.isFinite(x)) throw new K2Error('VALIDATION', `ExactSum: expected a finite number, got ${x}; filter NaN and ±Infinity first`)
  return x
}

function checkedDecimal(text: string): BigDecimalValue {
  const d = parseDecimal(text)
  if (d === undefined)
    throw new K2Error('VALIDATION', `ExactSum: ${showValue(text)} is not a decimal number; pass digits such as "12.5" or "-0.3"`)
  return d
}
