import { afterEach, expect, it, vi } from 'vitest'
import { withTimeout } from './with-timeout.js'
import { settle } from './settle.js'
import { retry } from './retry.js'
afterEach(() => { vi.useRealTimers() })
it('probe', async () => {
  vi.useFakeTimers()
  const events: string[] = []
  const work = new Promise<string>((r) => setTimeout(() => r('v'), 100))
  const p = withTimeout(() => work, 100)
  p.then((v) => events.push('ok ' + v + ' ' + performance.now()), (e: unknown) => events.push('err ' + String(e) + ' ' + performance.now()))
  await vi.advanceTimersByTimeAsync(100)
  console.log(events)
  const s = settle({ a: () => new Promise((r) => setTimeout(() => r(1), 100)) }, { timeoutMs: 100 })
  s.then((v) => events.push(JSON.stringify(v)))
  await vi.advanceTimersByTimeAsync(100)
  console.log(events)
  const c = new AbortController()
  let calls = 0
  const r = retry(() => { calls++; return new Promise(() => {}) }, { signal: c.signal })
  r.catch((e: unknown) => events.push('retry rejected ' + String(e)))
  await vi.advanceTimersByTimeAsync(10)
  c.abort(new Error('stop'))
  await vi.advanceTimersByTimeAsync(10)
  console.log(events, calls)
  expect(1).toBe(1)
})
