import { appendFileSync } from 'node:fs'
import { join } from 'node:path'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { RESPONSE_HEADERS } from '../openapi/response-headers.js'

/**
 * The variable naming the folder where every Storefront process appends the shape of each answer
 * it gives: set by the test run, so that the answers its tests see can be checked against the
 * routes' OpenAPI documents. Unset (always, outside the tests), nothing is recorded.
 */
export const ANSWER_RECORD_ENV = 'STOREFRONT_RECORD_ANSWERS'

/**
 * The headers of the contract, as the OpenAPI documents list them: an answer that carries one must
 * be documented with it. Transport and representation headers (`content-type`, `date`, …) and the
 * security headers every page carries are not part of any one route's contract.
 */
export const CONTRACT_HEADERS: readonly string[] = Object.keys(RESPONSE_HEADERS)

/** One kind of answer a process gave: a line of its record. */
export interface RecordedAnswer {
  readonly service: string
  readonly method: string
  /** The route as declared (`/products/:id`); `null` when no route matched (a 404 for any path). */
  readonly route: string | null
  readonly status: number
  /** A problem document's `code`. */
  readonly code?: string
  /** The {@link CONTRACT_HEADERS} it carried, sorted. */
  readonly headers: readonly string[]
}

const kProblemCode = Symbol('storefront.problemCode')

type Recorded = FastifyRequest & { [kProblemCode]?: string }

/**
 * Appends the shape of each answer `app` gives to `<folder>/<service>-<pid>.jsonl`, each shape
 * once: status, the problem's `code`, the contract's headers. Routes hidden from the document
 * (static files, the API docs' own UI) are left out: there is nothing to compare them with.
 */
export function recordAnswers(app: FastifyInstance, service: string, folder: string): void {
  const file = join(folder, `${service}-${process.pid}.jsonl`)
  const seen = new Set<string>()
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('application/problem+json')) {
      const code = (JSON.parse(payload) as { code?: unknown }).code
      if (typeof code === 'string') {
        ;(request as Recorded)[kProblemCode] = code
      }
    }
    done(null, payload)
  })
  app.addHook('onResponse', (request, reply, done) => {
    if ((request.routeOptions.schema as { hide?: unknown } | undefined)?.hide !== true) {
      const answer = shapeOf(service, request, reply)
      const line = JSON.stringify(answer)
      if (!seen.has(line)) {
        seen.add(line)
        try {
          appendFileSync(file, `${line}\n`)
        } catch {
          // The record serves a check of the tests; it must never fail an answer.
        }
      }
    }
    done()
  })
}

function shapeOf(service: string, request: FastifyRequest, reply: FastifyReply): RecordedAnswer {
  const sent = reply.raw.getHeaderNames()
  const code = (request as Recorded)[kProblemCode]
  return {
    service,
    method: request.method,
    route: request.is404 ? null : request.routeOptions.url ?? null,
    status: reply.statusCode,
    ...(code === undefined ? {} : { code }),
    headers: CONTRACT_HEADERS.filter((name) => sent.includes(name)).sort(),
  }
}
