import { afterEach, describe, expect, it, vi } from 'vitest'

import { type PolicyEvent, PolicyEvents } from './policy-events.js'

afterEach(() => {
  vi.useRealTimers()
})

const timeout: PolicyEvent = { type: 'timeout', policy: 'timeout', timeoutMs: 5 }

describe('PolicyEvents', () => {
  it('is inactive without listeners, and hands each event to every listener until it stops listening', () => {
    const events = new PolicyEvents()
    expect(events.active).toBe(false)
    const first: PolicyEvent[] = []
    const second: PolicyEvent[] = []
    const stopFirst = events.listen((event) => first.push(event))
    events.listen((event) => second.push(event))
    expect(events.active).toBe(true)
    events.emit(timeout)
    stopFirst()
    stopFirst()
    events.emit(timeout)
    expect(first).toEqual([timeout])
    expect(second).toEqual([timeout, timeout])
  })

  it('starts with the listener it is given', () => {
    const heard: PolicyEvent[] = []
    const events = new PolicyEvents((event) => heard.push(event))
    expect(events.active).toBe(true)
    events.emit(timeout)
    expect(heard).toEqual([timeout])
  })

  it('lets a throwing listener neither stop the others nor the emitter, and rethrows its error later', async () => {
    vi.useFakeTimers()
    const events = new PolicyEvents(() => {
      throw new Error('listener bug')
    })
    const heard: PolicyEvent[] = []
    events.listen((event) => heard.push(event))
    const uncaught = new Promise<unknown>((resolve) => {
      process.once('uncaughtException', resolve)
    })
    expect(() => { events.emit(timeout) }).not.toThrow()
    expect(heard).toEqual([timeout])
    await expect(uncaught).resolves.toMatchObject({ message: 'listener bug' })
  })
})
