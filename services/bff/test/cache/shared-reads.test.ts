import { describe, expect, it } from 'vitest'

import { SharedReads } from '../../src/cache/shared-reads.js'

/** A read the test answers by hand, and the signal it was started with. */
function manualRead<V>(): { start: (signal: AbortSignal) => Promise<V>; answer: (value: V) => void; fail: (error: Error) => void; signal: () => AbortSignal | undefined; starts: () => number } {
  let resolve: ((value: V) => void) | undefined
  let reject: ((error: Error) => void) | undefined
  let signal: AbortSignal | undefined
  let starts = 0
  return {
    start: (given) => {
      starts++
      signal = given
      return new Promise<V>((res, rej) => {
        resolve = res
        reject = rej
      })
    },
    answer: (value) => resolve?.(value),
    fail: (error) => reject?.(error),
    signal: () => signal,
    starts: () => starts,
  }
}

describe('SharedReads', () => {
  it('makes concurrent reads of one key once, and every caller gets the answer', async () => {
    const reads = new SharedReads<string>()
    const read = manualRead<string>()
    const callers = Array.from({ length: 32 }, () => reads.read('catalogue', read.start, new AbortController().signal))
    read.answer('answer')
    expect(await Promise.all(callers)).toEqual(Array.from({ length: 32 }, () => 'answer'))
    expect(read.starts()).toBe(1)
    expect({ started: reads.started, joined: reads.joined }).toEqual({ started: 1, joined: 31 })
  })

  it('reads different keys separately', async () => {
    const reads = new SharedReads<string>()
    const a = manualRead<string>()
    const b = manualRead<string>()
    const first = reads.read('a', a.start, new AbortController().signal)
    const second = reads.read('b', b.start, new AbortController().signal)
    a.answer('A')
    b.answer('B')
    expect([await first, await second]).toEqual(['A', 'B'])
  })

  it('shares a failure with every waiter, then reads again on the next call', async () => {
    const reads = new SharedReads<string>()
    const failing = manualRead<string>()
    const callers = [1, 2].map(() => reads.read('k', failing.start, new AbortController().signal))
    failing.fail(new Error('down'))
    for (const caller of callers) {
      await expect(caller).rejects.toThrow('down')
    }
    const next = manualRead<string>()
    const again = reads.read('k', next.start, new AbortController().signal)
    next.answer('back')
    expect(await again).toBe('back')
  })

  it('lets one caller leave with its own reason while the read goes on for the others', async () => {
    const reads = new SharedReads<string>()
    const read = manualRead<string>()
    const leaving = new AbortController()
    const first = reads.read('k', read.start, leaving.signal)
    const second = reads.read('k', read.start, new AbortController().signal)
    leaving.abort(new Error('went away'))
    await expect(first).rejects.toThrow('went away')
    expect(read.signal()?.aborted).toBe(false)
    read.answer('still read')
    expect(await second).toBe('still read')
  })

  it('aborts the read when the last waiter leaves, and starts afresh after', async () => {
    const reads = new SharedReads<string>()
    const read = manualRead<string>()
    const callers = [new AbortController(), new AbortController()]
    const waits = callers.map((caller) => reads.read('k', read.start, caller.signal))
    for (const caller of callers) {
      caller.abort(new Error('gone'))
    }
    await Promise.allSettled(waits)
    expect(read.signal()?.aborted).toBe(true)
    const fresh = manualRead<string>()
    const next = reads.read('k', fresh.start, new AbortController().signal)
    expect(fresh.starts()).toBe(1)
    fresh.answer('new')
    expect(await next).toBe('new')
  })

  it('refuses a caller whose signal is already aborted, without starting a read', async () => {
    const reads = new SharedReads<string>()
    const read = manualRead<string>()
    await expect(reads.read('k', read.start, AbortSignal.abort(new Error('late')))).rejects.toThrow('late')
    expect(read.starts()).toBe(0)
  })
})

describe('SharedReads with a starter-only failure', () => {
  it('reads again for a caller that joined a read failed only by its starter\'s hurry', async () => {
    const startersOwn = new Error('the starter\'s deadline')
    const reads = new SharedReads<string>((error) => error === startersOwn)
    const first = manualRead<string>()
    const second = manualRead<string>()
    const starter = reads.read('k', first.start, new AbortController().signal)
    const joiner = reads.read('k', second.start, new AbortController().signal)
    first.fail(startersOwn)
    await expect(starter).rejects.toBe(startersOwn)
    await new Promise((resolve) => setImmediate(resolve))
    second.answer('read again')
    expect(await joiner).toBe('read again')
    expect(second.starts()).toBe(1)
  })

  it('passes any other failure on to the callers that joined', async () => {
    const reads = new SharedReads<string>(() => false)
    const read = manualRead<string>()
    const again = manualRead<string>()
    void reads.read('k', read.start, new AbortController().signal).catch(() => {})
    const joiner = reads.read('k', again.start, new AbortController().signal)
    read.fail(new Error('down'))
    await expect(joiner).rejects.toThrow('down')
    expect(again.starts()).toBe(0)
  })
})
