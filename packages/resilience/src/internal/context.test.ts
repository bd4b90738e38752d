import { getEventListeners } from 'node:events'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Bulkhead } from '../bulkhead.js'
import { CircuitBreaker } from '../circuit-breaker.js'
import { Deadline } from '../deadline.js'
import { hedge } from '../hedge.js'
import { pipeline } from '../pipeline.js'
import { retryPolicy } from '../retry.js'
import { track } from '../test-support/breaker-helpers.js'
import type { ExecutionContext } from '../types.js'
import { timeoutPolicy, withTimeout } from '../with-timeout.js'
import { ScopeContext, ViewContext, adoptContext, answeredView, contextFor, neverAbortedSignal, rootContext } from './context.js'
import { pendingTimers } from './timer-queue.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

/** A caller's signal whose abort listeners are counted as they come and go. */
function watchedSignal(): { controller: AbortController; signal: AbortSignal; added: () => number; removed: () => number; live: () => number } {
  const controller = new AbortController()
  const signal = controller.signal
  const add = vi.spyOn(signal, 'addEventListener')
  const remove = vi.spyOn(signal, 'removeEventListener')
  return {
    controller,
    signal,
    added: () => add.mock.calls.length,
    removed: () => remove.mock.calls.length,
    live: () => getEventListeners(signal, 'abort').length,
  }
}

describe('rootContext and contextFor', () => {
  it('a call without a signal shares the root context, which never aborts', () => {
    expect(contextFor(undefined)).toBe(rootContext)
    expect(rootContext).toMatchObject({ attempt: 1, deadline: undefined, aborted: false, reason: undefined, abortable: false })
    expect(rootContext.signal).toBe(neverAbortedSignal)
    expect(neverAbortedSignal.aborted).toBe(false)
    const listener = vi.fn()
    rootContext.onAbort(listener)()
    expect(listener).not.toHaveBeenCalled()
  })

  it('a call with only a deadline gets a view of the root context carrying it', () => {
    const deadline = Deadline.after(100)
    const context = contextFor(undefined, deadline)
    expect(context).toBeInstanceOf(ViewContext)
    expect(context).toMatchObject({ attempt: 1, deadline, aborted: false, abortable: false })
    expect(context.signal).toBe(neverAbortedSignal)
  })

  it('a caller’s signal is followed directly: one listener per subscription, removed by its unsubscribe', () => {
    const watched = watchedSignal()
    const context = contextFor(watched.signal)
    expect(context.signal).toBe(watched.signal)
    expect(context.abortable).toBe(true)
    const listener = vi.fn()
    const unsubscribe = context.onAbort(listener)
    expect(watched.live()).toBe(1)
    unsubscribe()
    expect(watched.live()).toBe(0)

    const other = vi.fn()
    context.onAbort(other)
    const reason = new Error('gone')
    watched.controller.abort(reason)
    expect(context).toMatchObject({ aborted: true, reason })
    expect(other).toHaveBeenCalledExactlyOnceWith(reason)
    expect(listener).not.toHaveBeenCalled()
    expect(watched.live()).toBe(0)
  })
})

describe('ScopeContext', () => {
  it('subscribes to its parent signal only when its own signal is read, and once', () => {
    const watched = watchedSignal()
    const scope = new ScopeContext(contextFor(watched.signal), 2, undefined)
    expect(scope.attempt).toBe(2)
    expect(scope.aborted).toBe(false)
    expect(scope.abortable).toBe(true)
    expect(watched.added()).toBe(0)

    const signal = scope.signal
    expect(signal).not.toBe(watched.signal)
    expect(scope.signal).toBe(signal)
    expect(watched.added()).toBe(1)

    scope.dispose()
    expect(watched.removed()).toBe(1)
    expect(watched.live()).toBe(0)
  })

  it('subscribes to its parent signal when a listener is added, and dispose() removes it', () => {
    const watched = watchedSignal()
    const scope = new ScopeContext(contextFor(watched.signal), 1, undefined)
    scope.onAbort(() => {})
    scope.onAbort(() => {})
    expect(watched.added()).toBe(1)
    expect(watched.live()).toBe(1)
    scope.dispose()
    expect(watched.live()).toBe(0)
    // Reading the signal after dispose does not subscribe again.
    expect(scope.signal.aborted).toBe(false)
    expect(watched.added()).toBe(1)
  })

  it('passes the parent’s abort on to its signal and listeners, with the parent’s reason', () => {
    const controller = new AbortController()
    const scope = new ScopeContext(contextFor(controller.signal), 1, undefined)
    const signal = scope.signal
    const listener = vi.fn()
    scope.onAbort(listener)
    const reason = new Error('caller gone')
    controller.abort(reason)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe(reason)
    expect(listener).toHaveBeenCalledExactlyOnceWith(reason)
    expect(scope).toMatchObject({ aborted: true, reason })
  })

  it('its own abort reaches its signal and listeners, not its parent; the first reason wins', () => {
    const watched = watchedSignal()
    const scope = new ScopeContext(contextFor(watched.signal), 1, undefined)
    const signal = scope.signal
    const listener = vi.fn()
    const removed = vi.fn()
    scope.onAbort(listener)
    scope.onAbort(removed)()

    scope.abort('first')
    scope.abort('second')
    expect(signal.reason).toBe('first')
    expect(scope.reason).toBe('first')
    expect(listener).toHaveBeenCalledExactlyOnceWith('first')
    expect(removed).not.toHaveBeenCalled()
    expect(watched.signal.aborted).toBe(false)
    // Aborting also let go of the parent.
    expect(watched.live()).toBe(0)
  })

  it('hands out an already aborted signal when read after the abort, without subscribing', () => {
    const aborted = AbortSignal.abort('early')
    const addSpy = vi.spyOn(aborted, 'addEventListener')
    const scope = new ScopeContext(contextFor(aborted), 1, undefined)
    expect(scope.signal.aborted).toBe(true)
    expect(scope.signal.reason).toBe('early')
    expect(addSpy).not.toHaveBeenCalled()

    const own = new ScopeContext(rootContext, 1, undefined)
    own.abort('mine')
    expect(own.signal.reason).toBe('mine')
  })

  it('does not subscribe to a parent that can never abort', () => {
    const parentOnAbort = vi.spyOn(rootContext, 'onAbort')
    const scope = new ScopeContext(rootContext, 1, undefined)
    expect(scope.signal.aborted).toBe(false)
    scope.onAbort(() => {})
    expect(parentOnAbort).not.toHaveBeenCalled()
    scope.abort('x')
    expect(scope.signal.aborted).toBe(true)
  })

  it('a listener that unsubscribes itself while the scope aborts does not keep the next listener from hearing it', () => {
    const scope = new ScopeContext(rootContext, 1, undefined)
    const heard: string[] = []
    const unsubscribeFirst = scope.onAbort(() => {
      heard.push('first')
      unsubscribeFirst()
    })
    scope.onAbort(() => heard.push('second'))
    // A scope nested inside drops its link to this one when it aborts: the same pattern.
    const nested = new ScopeContext(scope, 1, undefined)
    nested.onAbort(() => heard.push('nested'))
    scope.onAbort(() => heard.push('third'))
    scope.abort('stop')
    expect(heard).toEqual(['first', 'second', 'nested', 'third'])
  })

  it('nested scopes link one level at a time and unlink on dispose', () => {
    const watched = watchedSignal()
    const outer = new ScopeContext(contextFor(watched.signal), 1, undefined)
    const inner = new ScopeContext(outer, 1, undefined)
    const signal = inner.signal
    expect(watched.live()).toBe(1)
    inner.dispose()
    outer.dispose()
    expect(watched.live()).toBe(0)
    watched.controller.abort()
    expect(signal.aborted).toBe(false)
  })
})

describe('ViewContext and adoptContext', () => {
  it('a view follows its parent under another attempt number', () => {
    const controller = new AbortController()
    const parent = new ScopeContext(contextFor(controller.signal), 1, undefined)
    const view = new ViewContext(parent, 3, undefined)
    expect(view.attempt).toBe(3)
    expect(view.signal).toBe(parent.signal)
    const listener = vi.fn()
    view.onAbort(listener)
    parent.abort('stop')
    expect(view).toMatchObject({ aborted: true, reason: 'stop', abortable: true })
    expect(listener).toHaveBeenCalledWith('stop')
  })

  it('says whether a policy further out has answered the caller: a caller’s signal no, a scope yes, a view as its parent or as marked', () => {
    const caller = contextFor(new AbortController().signal)
    expect(caller.answered).toBe(false)
    const scope = new ScopeContext(caller, 1, undefined)
    expect(scope.answered).toBe(true)
    expect(new ViewContext(caller, 2, undefined).answered).toBe(false)
    expect(new ViewContext(scope, 2, undefined).answered).toBe(true)
    const marked = answeredView(caller)
    expect(marked).toMatchObject({ answered: true, attempt: 1, deadline: undefined, abortable: true })
    expect(marked.signal).toBe(caller.signal)
    // The same cancellation under a foreign retry's attempt number keeps the mark.
    expect(adoptContext({ signal: caller.signal, attempt: 3 }, marked).answered).toBe(true)
  })

  it('adopts our own contexts as they are and wraps a foreign signal', () => {
    const controller = new AbortController()
    const ours = contextFor(controller.signal)
    expect(adoptContext(ours, rootContext)).toBe(ours)
    expect(adoptContext(undefined, ours)).toBe(ours)
    expect(adoptContext({ signal: controller.signal }, ours)).toBe(ours)
    // The same cancellation under a foreign retry's attempt number.
    const renumbered = adoptContext({ signal: controller.signal, attempt: 9 }, ours)
    expect(renumbered).toBeInstanceOf(ViewContext)
    expect(renumbered).toMatchObject({ attempt: 9, signal: controller.signal })

    const foreign = new AbortController()
    const adopted = adoptContext({ signal: foreign.signal, attempt: 4 }, ours)
    expect(adopted.signal).toBe(foreign.signal)
    expect(adopted.attempt).toBe(4)
    foreign.abort('foreign')
    expect(adopted).toMatchObject({ aborted: true, reason: 'foreign' })
  })
})

describe('no listener left behind on the caller’s signal', () => {
  it('after many calls through every policy, the caller’s AbortSignal has no leftover abort listeners', async () => {
    const watched = watchedSignal()
    const { signal } = watched
    const breaker = new CircuitBreaker({ maxFailures: 1_000_000, timeoutMs: 500 })
    const guarded = pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 3 }), breaker)
    const bulkhead = new Bulkhead({ maxConcurrent: 10, maxQueue: 1000 })
    const readSignal = ({ signal: own }: ExecutionContext): boolean => own.aborted
    let failuresLeft = 0
    const failOnce = ({ signal: own }: ExecutionContext): boolean => {
      if (failuresLeft > 0) {
        failuresLeft--
        throw new Error('flaky')
      }
      return own.aborted
    }
    const hang = ({ signal: own }: ExecutionContext): Promise<never> =>
      new Promise((_, reject) => own.addEventListener('abort', () => reject(own.reason), { once: true }))

    const calls: Array<Promise<unknown>> = []
    for (let index = 0; index < 500; index++) {
      calls.push(guarded.execute(readSignal, { signal }))
      calls.push(guarded.execute(() => index, { signal }))
      failuresLeft = 1
      calls.push(guarded.execute(failOnce, { signal }))
      calls.push(withTimeout(readSignal, 100, { signal }))
      calls.push(bulkhead.execute(readSignal, { signal }))
      calls.push(hedge(readSignal, { delayMs: 10, signal }))
    }
    // Calls that only end by timing out, in several layers.
    const slow = [
      track(guarded.execute(hang, { signal })),
      track(withTimeout(hang, 100, { signal })),
      track(hedge(hang, { delayMs: 10, maxHedges: 2, signal })),
    ]
    await Promise.all(calls)
    expect(slow.every((call) => call.outcome.status === 'pending')).toBe(true)
    expect(watched.live()).toBeGreaterThan(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(slow.map((call) => call.outcome.status)).toEqual(['rejected', 'rejected', 'pending'])

    expect(watched.added()).toBeGreaterThan(3000)
    // Only the hedge still runs: its own subscription, plus one per copy that read its signal.
    expect(watched.live()).toBe(4)
    expect(watched.signal.aborted).toBe(false)

    // The hedge runs until the caller gives up; then it lets go too.
    watched.controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(slow[2]?.outcome.status).toBe('rejected')
    expect(watched.live()).toBe(0)
    expect(pendingTimers()).toBe(0)
  })
})
