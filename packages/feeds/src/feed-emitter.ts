import type { FeedEventMap } from '@k2/core'
import { EventEmitter } from 'eventemitter3'

/** Listener signatures of a feed's events. */
export type FeedListeners = { [K in keyof FeedEventMap]: (payload: FeedEventMap[K]) => void }

/** Typed `on`/`once`/`off` over the feed events of core's `FeedEventMap`; shared by `Feed` and `MergedFeed`. */
export class FeedEmitter {
  private readonly ee = new EventEmitter()

  /** Adds a listener: `trade`, `status`, `gap`, `dlq`, `frame` (every raw frame) or `error`. */
  on<K extends keyof FeedEventMap>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.ee.on(event, listener)
    return this
  }

  /** Adds a listener called once. */
  once<K extends keyof FeedEventMap>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.ee.once(event, listener)
    return this
  }

  off<K extends keyof FeedEventMap>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.ee.off(event, listener)
    return this
  }

  protected emit<K extends keyof FeedEventMap>(event: K, payload: FeedEventMap[K]): void {
    this.ee.emit(event, payload)
  }

  protected listens(event: keyof FeedEventMap): boolean {
    return this.ee.listenerCount(event) > 0
  }
}
