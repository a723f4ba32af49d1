import { excerpt, FeedError, K2_ERROR_CODES, K2Error, QueryError } from '@k2/core'
import { describe, expect, it } from 'vitest'

describe('K2Error', () => {
  it('carries a stable code, a cause and details', () => {
    const cause = new Error('disk full')
    const e = new K2Error('IO', 'could not write: free some space and retry', { cause, details: { path: '/tmp/x' } })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('K2Error')
    expect(e.code).toBe('IO')
    expect(e.cause).toBe(cause)
    expect(e.details).toEqual({ path: '/tmp/x' })
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: 'K2Error', code: 'IO', message: e.message, details: { path: '/tmp/x' } })
  })

  it('is recognised across copies of the package through Symbol.for', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('k2.error')]: true, code: 'VALIDATION' })
    expect(K2Error.isInstance(foreign)).toBe(true)
    expect(K2Error.isInstance(new Error('x'))).toBe(false)
    expect(K2Error.isInstance(null)).toBe(false)
    expect(K2Error.isInstance('K2Error')).toBe(false)
  })

  it('from() wraps unknown throws and keeps K2Errors', () => {
    const k = new K2Error('PROTOCOL', 'bad')
    expect(K2Error.from(k)).toBe(k)
    const wrapped = K2Error.from(new TypeError('boom'), 'QUERY')
    expect(wrapped.code).toBe('QUERY')
    expect(wrapped.message).toBe('boom')
    expect(wrapped.cause).toBeInstanceOf(TypeError)
    expect(K2Error.from('text').code).toBe('INTERNAL')
  })

  it('has unique codes', () => {
    expect(new Set(K2_ERROR_CODES).size).toBe(K2_ERROR_CODES.length)
  })
})

describe('subclasses', () => {
  it('FeedError keeps the exchange and a bounded frame excerpt', () => {
    const frame = `{"e":"trade","p":"${'9'.repeat(1000)}"}`
    const e = new FeedError('PROTOCOL', 'binance', 'price is not a number', { frame })
    expect(K2Error.isInstance(e)).toBe(true)
    expect(e).toBeInstanceOf(K2Error)
    expect(e.exchange).toBe('binance')
    expect(e.frame?.length).toBeLessThan(300)
    expect(e.frame).toContain(`(${frame.length} chars)`)
  })

  it('QueryError keeps the SQL and params', () => {
    const e = new QueryError('QUERY_TIMEOUT', 'query exceeded 100 ms', { sql: 'select ?', params: [1] })
    expect(e.sql).toBe('select ?')
    expect(e.params).toEqual([1])
    expect(e.code).toBe('QUERY_TIMEOUT')
  })

  it('excerpt leaves short text alone', () => {
    expect(excerpt('abc')).toBe('abc')
  })
})
