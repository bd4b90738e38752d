import { describe, expect, it } from 'vitest'

import { RecordingRate } from '../../src/tracing/recording-rate.js'

function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 0
  return { now: () => at, advance: (ms) => { at += ms } }
}

function takeAll(rate: RecordingRate, times: number): number {
  let taken = 0
  for (let index = 0; index < times; index++) {
    taken += rate.take() ? 1 : 0
  }
  return taken
}

describe('RecordingRate', () => {
  it('records every page while traffic stays under the rate', () => {
    const time = clock()
    const rate = new RecordingRate({ perSecond: 20, now: time.now })
    for (let second = 0; second < 5; second++) {
      expect(takeAll(rate, 20)).toBe(20)
      time.advance(1000)
    }
  })

  it('records a steady sample of heavy traffic, the burst and then the rate', () => {
    const time = clock()
    const rate = new RecordingRate({ perSecond: 20, burst: 5, now: time.now })
    expect(takeAll(rate, 100)).toBe(5)
    let taken = 0
    // 2000 pages a second for 10 s, one every 0.5 ms.
    for (let page = 0; page < 20_000; page++) {
      time.advance(0.5)
      taken += rate.take() ? 1 : 0
    }
    expect(taken).toBeGreaterThanOrEqual(199)
    expect(taken).toBeLessThanOrEqual(201)
  })

  it('keeps no more than the burst through a quiet spell', () => {
    const time = clock()
    const rate = new RecordingRate({ perSecond: 20, burst: 3, now: time.now })
    takeAll(rate, 3)
    time.advance(60_000)
    expect(takeAll(rate, 10)).toBe(3)
  })

  it('refuses a rate that records nothing', () => {
    expect(() => new RecordingRate({ perSecond: 0 })).toThrow(RangeError)
  })
})
