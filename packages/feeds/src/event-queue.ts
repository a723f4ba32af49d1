import { K2Error } from '@k2/core'

/**
 * The bounded buffer behind `for await (const ev of feed)`. Policy: when `capacity` events wait, the
 * queue calls `onFull` (the feed pauses reading its sockets, so TCP pushes back on the exchange);
 * when it drains to half, `onDrained` resumes reading. Nothing is dropped here; a runtime that cannot
 * pause a socket is handled by the feed (it drops the connection and heals from history).
 */
export class EventQueue<T> implements AsyncIterator<T> {
  private items: T[] = []
  private head = 0
  private waiter: ((r: IteratorResult<T>) => void) | undefined
  private full = false
  private ended = false

  constructor(
    readonly capacity: number,
    private readonly onFull: () => void,
    private readonly onDrained: () => void,
    private readonly onReturn: () => Promise<void>,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 2)
      throw new K2Error('VALIDATION', `bufferSize must be an integer >= 2, got ${capacity}`)
  }

  get length(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    if (this.ended) return
    const w = this.waiter
    if (w !== undefined) {
      this.waiter = undefined
      w({ value: item, done: false })
      return
    }
    this.items.push(item)
    if (!this.full && this.length >= this.capacity) {
      this.full = true
      this.onFull()
    }
  }

  /** No more items: a waiting or later `next()` finishes once the buffer is empty. */
  end(): void {
    this.ended = true
    const w = this.waiter
    if (w !== undefined && this.length === 0) {
      this.waiter = undefined
      w({ value: undefined, done: true })
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.length > 0) {
      const value = this.items[this.head] as T
      this.items[this.head] = undefined as T
      this.head++
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }
      if (this.full && this.length <= this.capacity >> 1) {
        this.full = false
        this.onDrained()
      }
      return Promise.resolve({ value, done: false })
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  async return(): Promise<IteratorResult<T>> {
    this.ended = true
    this.items = []
    this.head = 0
    await this.onReturn()
    return { value: undefined, done: true }
  }
}
