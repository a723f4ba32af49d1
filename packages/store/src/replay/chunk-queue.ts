import { K2Error } from '@k2/core'

/**
 * A bounded queue between one producer (a DuckDB stream reading ahead) and one consumer (the
 * merge): `put` waits while `capacity` items are waiting, `take` waits for the next item. `end()`
 * or `fail()` finishes it; `cancel()` (the consumer gave up) makes pending and later `put`s return
 * false so the producer stops reading.
 */
export class ChunkQueue<T> {
  readonly #items: T[] = []
  readonly #capacity: number
  #done = false
  #error: unknown = undefined
  #cancelled = false
  #wakeTaker: (() => void) | null = null
  #wakePutter: (() => void) | null = null

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /** Adds an item, waiting for room; false when the consumer cancelled. */
  async put(item: T): Promise<boolean> {
    while (this.#items.length >= this.#capacity && !this.#cancelled) {
      await new Promise<void>((r) => {
        this.#wakePutter = r
      })
    }
    if (this.#cancelled) return false
    this.#items.push(item)
    this.#wake()
    return true
  }

  end(): void {
    this.#done = true
    this.#wake()
  }

  fail(err: unknown): void {
    this.#error ??= err ?? new K2Error('INTERNAL', 'a replay reader failed')
    this.#done = true
    this.#wake()
  }

  cancel(): void {
    this.#cancelled = true
    this.#items.length = 0
    const w = this.#wakePutter
    this.#wakePutter = null
    w?.()
  }

  /** The next item, or undefined at the end; rejects with the producer's error. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.#items.length > 0) {
        const item = this.#items.shift() as T
        const w = this.#wakePutter
        this.#wakePutter = null
        w?.()
        return item
      }
      if (this.#error !== undefined) throw this.#error
      if (this.#done) return undefined
      await new Promise<void>((r) => {
        this.#wakeTaker = r
      })
    }
  }

  #wake(): void {
    const w = this.#wakeTaker
    this.#wakeTaker = null
    w?.()
  }
}
