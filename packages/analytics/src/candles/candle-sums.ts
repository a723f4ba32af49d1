import { ACC_LIMIT, BigDecimal, decimalOfDouble, FAST_LIMIT, fastScaleOf, MAX_FAST_SCALE, POW10, totalOf } from './decimal.js'

/**
 * The three exact sums of a candle — Σ qty, Σ price·qty, Σ qty of taker buys — on the hot path. Each
 * is an exact integer in a float64 at a shared scale (decimals of qty; of price + qty for the
 * quote), so a typical trade costs two multiplications, two divisions and three additions. Terms
 * that do not fit (more decimals than 22, products beyond 2^52) go to exact BigInt parts.
 */
export class CandleSums {
  priceScale = 0
  qtyScale = 0
  pricePow = 1
  qtyPow = 1
  volume = 0
  buyVolume = 0
  quoteVolume = 0
  volumeBig: BigDecimal | undefined = undefined
  buyBig: BigDecimal | undefined = undefined
  quoteBig: BigDecimal | undefined = undefined

  add(price: number, qty: number, isBuy: boolean): void {
    const np = Math.round(price * this.pricePow)
    const nq = Math.round(qty * this.qtyPow)
    const product = np * nq
    if (
      np / this.pricePow === price &&
      nq / this.qtyPow === qty &&
      np < FAST_LIMIT &&
      nq < FAST_LIMIT &&
      product < ACC_LIMIT &&
      product > -ACC_LIMIT
    ) {
      // np·nq is exact: its true value is below 2^52, and IEEE multiplication rounds monotonically
      this.volume += nq
      this.quoteVolume += product
      if (isBuy) this.buyVolume += nq
      if (this.volume > ACC_LIMIT || this.quoteVolume > ACC_LIMIT || this.quoteVolume < -ACC_LIMIT) this.spill()
      return
    }
    this.addSlow(price, qty, isBuy)
  }

  /** Grows a scale when that brings the term onto the fast path, else adds it exactly as BigInt. */
  private addSlow(price: number, qty: number, isBuy: boolean): void {
    const ps = fastScaleOf(price)
    const qs = fastScaleOf(qty)
    let grown = false
    if (ps > this.priceScale) grown = this.growPrice(ps) || grown
    if (qs > this.qtyScale) grown = this.growQty(qs) || grown
    if (grown) {
      this.add(price, qty, isBuy)
      return
    }
    const p = decimalOfDouble(price)
    const q = decimalOfDouble(qty)
    this.volumeBig ??= new BigDecimal()
    this.volumeBig.add(q.m, q.s)
    this.quoteBig ??= new BigDecimal()
    this.quoteBig.add(p.m * q.m, p.s + q.s)
    if (isBuy) {
      this.buyBig ??= new BigDecimal()
      this.buyBig.add(q.m, q.s)
    }
  }

  private growPrice(scale: number): boolean {
    if (scale > MAX_FAST_SCALE) return false
    const k = scale - this.priceScale
    this.quoteVolume = this.grow(this.quoteVolume, k, this.priceScale + this.qtyScale, 'quote')
    this.priceScale = scale
    this.pricePow = POW10[scale] as number
    return true
  }

  private growQty(scale: number): boolean {
    if (scale > MAX_FAST_SCALE) return false
    const k = scale - this.qtyScale
    this.volume = this.grow(this.volume, k, this.qtyScale, 'volume')
    this.buyVolume = this.grow(this.buyVolume, k, this.qtyScale, 'buy')
    this.quoteVolume = this.grow(this.quoteVolume, k, this.priceScale + this.qtyScale, 'quote')
    this.qtyScale = scale
    this.qtyPow = POW10[scale] as number
    return true
  }

  /** `acc · 10^k`, or 0 after moving `acc` (at `scale`) into its BigInt part when the product would not be exact. */
  private grow(acc: number, k: number, scale: number, which: 'volume' | 'buy' | 'quote'): number {
    const grown = acc * (POW10[k] ?? Number.POSITIVE_INFINITY)
    if (grown < ACC_LIMIT && grown > -ACC_LIMIT) return grown
    this.bigOf(which).add(BigInt(acc), scale)
    return 0
  }

  private bigOf(which: 'volume' | 'buy' | 'quote'): BigDecimal {
    if (which === 'volume') {
      this.volumeBig ??= new BigDecimal()
      return this.volumeBig
    }
    if (which === 'buy') {
      this.buyBig ??= new BigDecimal()
      return this.buyBig
    }
    this.quoteBig ??= new BigDecimal()
    return this.quoteBig
  }

  private spill(): void {
    const scale = this.priceScale + this.qtyScale
    this.bigOf('volume').add(BigInt(this.volume), this.qtyScale)
    this.bigOf('buy').add(BigInt(this.buyVolume), this.qtyScale)
    this.bigOf('quote').add(BigInt(this.quoteVolume), scale)
    this.volume = 0
    this.buyVolume = 0
    this.quoteVolume = 0
  }

  volumeTotal(): { value: number; exact: string } {
    return totalOf(this.volume, this.qtyScale, this.volumeBig)
  }

  buyVolumeTotal(): { value: number; exact: string } {
    return totalOf(this.buyVolume, this.qtyScale, this.buyBig)
  }

  quoteVolumeTotal(): { value: number; exact: string } {
    return totalOf(this.quoteVolume, this.priceScale + this.qtyScale, this.quoteBig)
  }
}
