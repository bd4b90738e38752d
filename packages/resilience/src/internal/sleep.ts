import type { Context } from './context.js'
import { MAX_TIMER_MS } from './timer-handle.js'

/**
 * Waits `ms`, or rejects with the abort reason the moment `context` is aborted: a pause between
 * retries must never outlive the caller's interest.
 */
export function sleep(ms: number, context: Context): Promise<void> {
  if (context.aborted) {
    return Promise.reject(context.reason)
  }
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const unsubscribe = context.onAbort((reason) => {
      globalThis.clearTimeout(timer)
      reject(reason)
    })
    // setTimeout fires a delay over 2^31-1 ms (a long Retry-After) after 1 ms: wait in chunks of
    // at most MAX_TIMER_MS.
    let left = ms
    const wait = (): void => {
      const step = Math.min(left, MAX_TIMER_MS)
      left -= step
      timer = globalThis.setTimeout(() => {
        if (left > 0) {
          wait()
          return
        }
        unsubscribe()
        resolve()
      }, step)
    }
    wait()
  })
}
