import type { Context } from './context.js'

/**
 * Waits `ms`, or rejects with the abort reason the moment `context` is aborted: a pause between
 * retries must never outlive the caller's interest.
 */
export function sleep(ms: number, context: Context): Promise<void> {
  if (context.aborted) {
    return Promise.reject(context.reason)
  }
  return new Promise<void>((resolve, reject) => {
    const unsubscribe = context.onAbort((reason) => {
      globalThis.clearTimeout(timer)
      reject(reason)
    })
    const timer = globalThis.setTimeout(() => {
      unsubscribe()
      resolve()
    }, ms)
  })
}
