import { describe, expect, it } from 'vitest'

import type { PageTrace, TraceSpan } from '../../web/src/api-types.js'
import { describeEvent, keptBecause, spanNotes, waterfallRows } from '../../web/src/trace-layout.js'

function span(id: string, parent: string | null, start: number, duration: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return { span_id: id, parent_span_id: parent, name: id, kind: 'client', start_ms: start, duration_ms: duration, status: 'ok', error: null, attributes: {}, events: [], ...extra }
}

function page(spans: TraceSpan[], duration = 100): PageTrace {
  return { trace_id: 't', request_id: null, name: 'GET /products/all', started_at: '2026-12-07T12:00:00.000Z', duration_ms: duration, status: 200, kept_because: 'slow', degraded: [], dropped_spans: 0, spans }
}

describe('waterfallRows', () => {
  it('puts each span after its parent, siblings by start, indented by depth, with bars in % of the page', () => {
    const rows = waterfallRows(page([
      span('root', null, 0, 100, { kind: 'server' }),
      span('products', 'root', 1, 20),
      span('stock', 'root', 25, 70),
      span('chunk-2', 'stock', 30, 40),
      span('chunk-1', 'stock', 26, 60),
    ]))
    expect(rows.map((row) => [row.span.span_id, row.depth, row.leftPct, row.widthPct])).toEqual([
      ['root', 0, 0, 100],
      ['products', 1, 1, 20],
      ['stock', 1, 25, 70],
      ['chunk-1', 2, 26, 60],
      ['chunk-2', 2, 30, 40],
    ])
  })

  it('draws a span whose parent is missing at the top level, and scales to a span that outlived the page', () => {
    const rows = waterfallRows(page([span('root', null, 0, 50), span('late', 'root', 40, 60), span('orphan', 'gone', 10, 5)], 50))
    expect(rows.map((row) => [row.span.span_id, row.depth, row.leftPct, row.widthPct])).toEqual([
      ['root', 0, 0, 50],
      ['late', 1, 40, 60],
      ['orphan', 0, 10, 5],
    ])
  })

  it('says which of a call\'s attempts won, and nothing of the kind for a lone call', () => {
    const rows = waterfallRows(page([
      span('root', null, 0, 100),
      span('inventory GET /inventory', 'root', 1, 90, { span_id: 'first', attributes: { 'storefront.won': false } }),
      span('inventory GET /inventory', 'root', 50, 30, { span_id: 'second', attributes: { 'storefront.won': true, 'storefront.attempt': 2 } }),
      span('products GET /products', 'root', 1, 10, { attributes: { 'storefront.won': true, 'storefront.attempt': 1 } }),
    ]))
    expect(rows.map((row) => [row.span.name, row.notes])).toEqual([
      ['root', []],
      ['inventory GET /inventory', ['lost']],
      ['products GET /products', []],
      ['inventory GET /inventory', ['attempt 2', 'won']],
    ])
  })

  it('gives the database time as a share of its bar, and each event its place and words', () => {
    const [row] = waterfallRows(page([span('inventory GET /inventory', null, 0, 40, {
      attributes: { 'storefront.db_ms': 10 },
      events: [{ name: 'retry', at_ms: 20, attributes: {} }],
    })], 40))
    expect(row).toMatchObject({ dbPct: 25, events: [{ text: 'retry at 20.0 ms', atPct: 50 }] })
  })
})

describe('spanNotes', () => {
  it('says a second attempt, whether a contested call won, the database time and a failure with its message', () => {
    expect(spanNotes(span('a', null, 0, 1, { attributes: { 'storefront.attempt': 2, 'storefront.won': true, 'storefront.db_ms': 3.14 } }), true)).toEqual(['attempt 2', 'won', 'db 3.1 ms'])
    // A lone call always wins: saying so would be noise.
    expect(spanNotes(span('a', null, 0, 1, { attributes: { 'storefront.attempt': 1, 'storefront.won': true } }))).toEqual([])
    expect(spanNotes(span('a', null, 0, 1, { attributes: { 'storefront.attempt': 1, 'storefront.hedge_copy': 2, 'storefront.won': true } }), true)).toEqual(['hedge copy 2', 'won'])
    expect(spanNotes(span('a', null, 0, 1, { attributes: { 'storefront.attempt': 1, 'storefront.won': false }, status: 'error', error: 'timeout' }))).toEqual(['lost', 'failed: timeout'])
    expect(spanNotes(span('a', null, 0, 1, { status: 'error' }))).toEqual(['failed'])
  })
})

describe('describeEvent', () => {
  it('names the policy that refused a call, and says hedges and timeouts in words', () => {
    expect(describeEvent({ name: 'rejection', at_ms: 3, attributes: { 'storefront.policy': 'breaker' } })).toBe('rejected by the breaker at 3.0 ms')
    expect(describeEvent({ name: 'rejection', at_ms: 3, attributes: { 'storefront.policy': 'retry-budget' } })).toBe('rejected by the retry budget at 3.0 ms')
    expect(describeEvent({ name: 'hedge', at_ms: 50.25, attributes: {} })).toBe('hedge sent at 50.3 ms')
    expect(describeEvent({ name: 'timeout', at_ms: 300, attributes: {} })).toBe('timed out at 300.0 ms')
    expect(describeEvent({ name: 'shed', at_ms: 0, attributes: {} })).toBe('shed at 0.0 ms')
    expect(describeEvent({ name: 'breaker state', at_ms: 2, attributes: { 'storefront.policy': 'breaker', 'storefront.state': 'open' } })).toBe('breaker open at 2.0 ms')
  })
})

describe('keptBecause', () => {
  it('gives a failed page its status', () => {
    expect(keptBecause({ ...page([]), kept_because: 'failed', status: 504 })).toBe('failed (504)')
    expect(keptBecause(page([]))).toBe('slow')
  })
})
