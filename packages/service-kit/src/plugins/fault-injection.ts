import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import { type MsRange, msRange } from '../config/env.js'
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
  interface FastifyContextConfig {
    /** Never delayed or failed by fault injection (the fault control itself). */
    faultFree?: boolean
  }
}

/** Options of {@link faultInjectionPlugin}: the settings at start, and whether they may change over HTTP. */
export interface FaultOptions extends FaultSettings {
  /** Adds `GET` and `PUT /ops/faults` (behind the service token like every other route). */
  readonly control?: boolean
}

/** The wire form of the settings: `delay_ms` as in `FAULT_DELAY_MS` (`"0-5000"`), or null for none. */
export interface FaultSettingsBody {
  readonly delay_ms: string | null
  readonly error_rate: number
}

/** The JSON schema of {@link FaultSettingsBody}, for every route that takes one. */
export const faultSettingsSchema = {
  type: 'object',
  required: ['delay_ms', 'error_rate'],
  additionalProperties: false,
  properties: {
    delay_ms: { type: ['string', 'null'], pattern: '^\\d{1,7}(-\\d{1,7})?$', description: 'A uniformly random delay of a-b ms before each answer, or null for none.' },
    error_rate: { type: 'number', minimum: 0, maximum: 1, description: 'The probability of answering 500.' },
  },
} as const

const parseRange = msRange('delay_ms').parse

/**
 * The `delay_ms` of {@link FaultSettingsBody} as a range: `null` for none, and a 400 problem
 * (`SVC_ERR_VALIDATION`) for an inverted range or one past `MAX_FAULT_DELAY_MS` (60 000 ms).
 */
export function parseFaultDelay(delayMs: string | null): MsRange | undefined {
  try {
    return parseRange(delayMs ?? undefined)
  } catch (error) {
    throw new AppError(kitErrors.VALIDATION, `body/delay_ms ${(error as Error).message}`)
  }
}

/**
 * Fault injection for resilience demos and tests, off by default: `FAULT_DELAY_MS=a-b` delays each
 * non-health response by a..b ms (the delay ends early if the request is abandoned), and
 * `FAULT_ERROR_RATE=p` answers 500 with probability p. With `control`, `PUT /ops/faults` changes
 * both while the service runs, so an operator can watch the callers' breakers react.
 */
export const faultInjectionPlugin = fp<FaultOptions>(
  (app: FastifyInstance, options: FaultOptions, done: (error?: Error) => void) => {
    const faults: FaultSettings = { delayMs: options.delayMs, errorRate: options.errorRate }
    app.decorate('faults', faults)
    if (options.control === true) {
      faultControlRoutes(app, faults)
    }
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, next: (error?: Error) => void) => {
      // The common case, no faults, stays synchronous: an async hook costs every request a promise.
      if ((faults.delayMs === undefined && faults.errorRate === 0) || request.routeOptions.config.public === true || request.routeOptions.config.faultFree === true) {
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

function faultControlRoutes(app: FastifyInstance, faults: FaultSettings): void {
  const current = (): FaultSettingsBody => ({
    delay_ms: faults.delayMs === undefined ? null : `${faults.delayMs.minMs}-${faults.delayMs.maxMs}`,
    error_rate: faults.errorRate,
  })
  // Fault-free, or a fault of error_rate 1 could never be turned off again.
  const example: FaultSettingsBody = { delay_ms: '0-500', error_rate: 0.1 }
  // The answer is sent without a response schema; the document shows its shape all the same.
  const docs = { database: false, body: { schema: faultSettingsSchema }, response: example }
  const tags = ['operations']
  app.get('/ops/faults', { config: { faultFree: true, docs }, schema: { summary: 'This service\'s fault injection', tags } }, () => current())
  app.put<{ Body: FaultSettingsBody }>('/ops/faults', {
    config: { faultFree: true, docs: { ...docs, request: { body: example } } },
    schema: { summary: 'Change this service\'s fault injection', tags, body: faultSettingsSchema },
  }, (request) => {
    faults.delayMs = parseFaultDelay(request.body.delay_ms)
    faults.errorRate = request.body.error_rate
    request.log.warn({ faults: current() }, 'fault injection changed')
    return current()
  })
}

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
