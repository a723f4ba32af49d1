import { K2Error } from '@k2/core'

/**
 * Events a feed delivers between `openFeed()` and the first `for await`: a feed starts connecting at
 * once, so whatever the caller awaits in between would otherwise never reach the iterator. Bounded:
 * past `capacity` events the buffer gives up, and a later iteration fails loudly instead of starting
 * with a silent hole.
 */
export class PreIterationBuffer<T> {
  private items: T[] | undefined = []
  private overflowed = false

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items === undefined) return
    if (this.items.length >= this.capacity) {
      this.items = undefined
      this.overflowed = true
      return
    }
    this.items.push(item)
  }

  /** Moves the buffered events into the iterator's queue; buffering stops for good. */
  handOver(push: (item: T) => void): void {
    if (this.overflowed) {
      throw new K2Error(
        'CAPACITY',
        `the feed delivered more than ${this.capacity} events before it was iterated, and they are no longer buffered: start "for await" right after openFeed() (or raise bufferSize), or consume with feed.on("trade", …)`,
      )
    }
    const items = this.items ?? []
    this.items = undefined
    for (const item of items) push(item)
  }
}
