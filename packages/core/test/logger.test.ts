import { consoleLogger, k2Meter, silentLogger } from '@k2/core'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => vi.restoreAllMocks())

describe('Logger', () => {
  it('is silent by default', () => {
    const spy = vi.spyOn(console, 'info').mockImplementation(() => {})
    silentLogger.info('nothing')
    expect(spy).not.toHaveBeenCalled()
  })

  it('consoleLogger filters by level and tags lines', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const log = consoleLogger('info', 'feeds')
    log.debug('hidden')
    log.info('shown', { n: 1 })
    expect(debug).not.toHaveBeenCalled()
    expect(info).toHaveBeenCalledWith('[feeds] shown', { n: 1 })
  })
})

describe('metrics', () => {
  it('returns no-op instruments until an SDK is registered', () => {
    const counter = k2Meter('test').createCounter('k2.test.count')
    expect(() => counter.add(1, { exchange: 'binance' })).not.toThrow()
  })
})
