import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import type { MsRange } from '../config/env.js'
import { AppError, kitErrors } from '../errors/app-error.js'

/** What fault injection does now; changeable at run time (the operations dashboard does). */
export interface FaultSettings {
  /** A uniformly random delay before each non-health response. */
  delayMs?: MsRange | undefined
  /** The probability of answering 500 instead. */
  errorRate: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The live fault-injection settings. */
    faults: FaultSettings
  }
}

/**
 * Fault injection for resilience demos and tests, off by default: `FAULT_DELAY_MS=a-b` delays each
 * non-health response by a..b ms (the delay ends early if the request is abandoned), and
 * `FAULT_ERROR_RATE=p` answers 500 with probability p.
 */
export const faultInjectionPlugin = fp<FaultSettings>(
  (app: FastifyInstance, options: FaultSettings, done: (error?: Error) => void) => {
    const faults: FaultSettings = { delayMs: options.delayMs, errorRate: options.errorRate }
    app.decorate('faults', faults)
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, next: (error?: Error) => void) => {
      // The common case, no faults, stays synchronous: an async hook costs every request a promise.
      if ((faults.delayMs === undefined && faults.errorRate === 0) || request.routeOptions.config.public === true) {
        next()
        return
      }
      const fail = (): Error | undefined =>
        faults.errorRate > 0 && Math.random() < faults.errorRate
          ? new AppError(kitErrors.FAULT_INJECTED, 'Fault injection answered this request with an error.')
          : undefined
      const range = faults.delayMs
      if (range === undefined) {
        next(fail())
        return
      }
      pause(range.minMs + Math.random() * (range.maxMs - range.minMs), request.abortSignal).then(
        () => {
          next(fail())
        },
        (error: unknown) => {
          next(error as Error)
        },
      )
    })
    done()
  },
  { name: 'storefront-fault-injection', dependencies: ['storefront-request-context'] },
)

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
