import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, type onRequestHookHandler } from 'fastify'

import type { BaseEnv } from '../config/base-env.js'
import type { TrustProxy } from '../config/trust-proxy.js'
import type { Database } from '../db/database.js'
import { AppError, kitErrors } from '../errors/app-error.js'
import { toProblem } from '../errors/to-problem.js'
import { type OpenApiOptions, registerOpenApi } from '../openapi/openapi-plugin.js'
import { faultInjectionPlugin } from '../plugins/fault-injection.js'
import { healthPlugin } from '../plugins/health.js'
import { metricsPlugin } from '../plugins/metrics.js'
import { RouteTable, problemDetailsPlugin } from '../plugins/problem-details.js'
import { requestContextPlugin, requestIdOf, startOnlyWithTimeLeft } from '../plugins/request-context.js'
import { serviceAuthPlugin } from '../plugins/service-auth.js'
import { abandonServerSpan, endServerSpan, reportDatabaseTime, runInServerSpan, startServerSpan } from '../tracing/server-spans.js'
import { ANSWER_RECORD_ENV, recordAnswers } from './answer-record.js'
import { answerClientError } from './client-error-handler.js'
import { RequestLogController } from './request-log-controller.js'
import { strictQuery } from './strict-query.js'

/** Options of {@link createServiceApp}. */
export interface ServiceAppOptions {
  /** The service's name, for logs and metrics. */
  readonly service: string
  /** The validated environment. */
  readonly env: BaseEnv
  /** pino options, or `false` for silence (tests). Defaults to JSON logs at `LOG_LEVEL`. */
  readonly logger?: FastifyServerOptions['logger']
  /**
   * Resolves true when the service can serve; backs `/health/ready`. Defaults to "the database
   * answers" when `db` is given.
   */
  readonly ready?: (signal: AbortSignal) => Promise<boolean>
  /** Process metrics on `/metrics`. Defaults to true. */
  readonly processMetrics?: boolean
  /** The service's database, whose figures `/metrics` reports. */
  readonly db?: Database
  /**
   * Whether callers must present `SERVICE_TOKEN`. Defaults to true (internal services). The BFF
   * says false: its callers are browsers and apps; it still sends the token downstream.
   */
  readonly requireServiceToken?: boolean
  /**
   * Proxies believed about the client (`x-forwarded-for`, `x-forwarded-proto`): Fastify's
   * `trustProxy`. Defaults to `false`, so no caller can choose its own address.
   */
  readonly trustProxy?: TrustProxy
  /**
   * An `onRequest` hook that runs before every other (request id and deadline, auth, metrics):
   * where a service sheds load, so that a refusal costs as little as possible. It answers the
   * request itself (the reply's `x-request-id` included) or lets it on.
   */
  readonly admission?: onRequestHookHandler
  /** The service's OpenAPI document: its title and description, and what the service's own plugins answer. */
  readonly openapi?: OpenApiOptions
}

/**
 * A Fastify instance with everything a Storefront service shares, registered in order: problem
 * details, the OpenAPI document (`GET /docs/json`), request id and deadline, service auth, fault
 * injection, metrics and health. The service
 * adds its routes and returns it; `buildApp` never listens.
 *
 * Validation is strict: no type coercion and no silent removal of unknown fields, so a wrong JSON
 * type, an unknown field or an unknown query parameter is a 400, never a guess. Errors Node's HTTP
 * parser raises before routing are problems too.
 */
export function createServiceApp(options: ServiceAppOptions): FastifyInstance {
  const { env } = options
  const requestTimeoutMs = env.REQUEST_TIMEOUT_MS + 5_000
  const app = Fastify({
    logger: options.logger ?? {
      level: env.LOG_LEVEL,
      base: { service: options.service },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    // Request lines at the level a route asks for: `debug` for health checks and scrapes.
    logController: new RequestLogController(),
    genReqId: requestIdOf,
    // The request's server span starts with its logger, so that every line it logs carries the
    // trace id, from "incoming request" on.
    childLoggerFactory: (logger, bindings, loggerOptions, raw) => {
      const traceId = startServerSpan(raw, String(bindings.reqId))
      if (traceId !== undefined) {
        bindings.trace_id = traceId
      }
      return logger.child(bindings, loggerOptions)
    },
    trustProxy: trustProxyOption(options.trustProxy ?? false),
    bodyLimit: env.BODY_LIMIT_BYTES,
    // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
    keepAliveTimeout: 72_000,
    // Guards against clients that trickle a request in; no request may take longer than this.
    requestTimeout: requestTimeoutMs,
    http: {
      // Node swaps the two limits when the headers' is the longer (its default is 60 s), which
      // would let a body trickle in for a minute: the headers get no more time than the request.
      headersTimeout: requestTimeoutMs,
      // How often Node looks for requests past those limits: every second rather than its default
      // 30 s, so a trickling client is cut off (408) close to the limit, not up to 30 s after it.
      connectionsCheckingInterval: 1_000,
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Errors Fastify raises before routing (a malformed URL, an overlong parameter) skip the error
    // handler; answer them as problems too, with the request id.
    frameworkErrors: (error, request, reply) => {
      answerFrameworkError(error, request, reply)
    },
    // Errors of Node's HTTP parser and its request timeout come before Fastify has a request.
    clientErrorHandler: (error, socket) => {
      answerClientError(error, socket, app.log)
    },
  })
  // On close, the server stops accepting and closes its idle connections, and Fastify answers what
  // still arrives on a busy one 503 with `connection: close`. A connection whose request is still
  // running, though, would stay open once answered, for the whole keep-alive timeout (plus Node's
  // 1 s buffer), and hold the shutdown for the grace period. With the shortest timeout and no
  // buffer it closes as soon as it is idle; a caller's request that meets it closing is a failed
  // connection, which callers retry on another replica.
  app.addHook('preClose', (done) => {
    const server: { keepAliveTimeout: number; keepAliveTimeoutBuffer?: number } = app.server
    server.keepAliveTimeout = 1
    server.keepAliveTimeoutBuffer = 0
    done()
  })
  // Added before any route, so that every route the service declares gets them: recorded (404 vs
  // 405), refusing unknown query parameters, started only while the caller's budget lasts, and
  // run in the request's trace context.
  if (options.admission !== undefined) {
    app.addHook('onRequest', options.admission)
  }
  const routes = new RouteTable()
  app.addHook('onRoute', (route) => {
    routes.add(route)
    strictQuery(route)
    route.preHandler = [...toArray(route.preHandler), startOnlyWithTimeLeft, runInServerSpan]
  })
  // Under the test run only: what each answer looked like, for the contract-coverage check.
  const answerRecord = process.env[ANSWER_RECORD_ENV]
  if (answerRecord !== undefined && answerRecord !== '') {
    recordAnswers(app, options.service, answerRecord)
  }
  app.addHook('onResponse', (request, reply, done) => {
    endServerSpan(request, reply)
    done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    abandonServerSpan(request)
    done()
  })
  if (options.db !== undefined) {
    app.addHook('onSend', (request, reply, payload, done) => {
      reportDatabaseTime(request, reply)
      done(null, payload)
    })
  }
  void app.register(problemDetailsPlugin, { routes })
  // Before the first route, so that every route is in the document.
  registerOpenApi(app, options.service, { requireServiceToken: options.requireServiceToken !== false, database: options.db !== undefined }, options.openapi)
  void app.register(requestContextPlugin, { requestTimeoutMs: env.REQUEST_TIMEOUT_MS })
  void app.register(serviceAuthPlugin, { token: options.requireServiceToken === false ? undefined : env.SERVICE_TOKEN })
  void app.register(faultInjectionPlugin, {
    delayMs: env.FAULT_DELAY_MS,
    errorRate: env.FAULT_ERROR_RATE,
    // Only behind the service token: a service whose callers hold none (the BFF) never offers it.
    control: env.FAULT_CONTROL && options.requireServiceToken !== false,
  })
  void app.register(metricsPlugin, { service: options.service, processMetrics: options.processMetrics ?? true, db: options.db })
  const db = options.db
  const ready = options.ready ?? (db === undefined ? () => Promise.resolve(true) : async (signal: AbortSignal) => {
    await db.ping({ signal })
    return true
  })
  void app.register(healthPlugin, { ready })
  return app
}

function toArray<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T]
}

/** A malformed URL or an overlong parameter, raised before routing: a 400 problem like any other. */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = toProblem(new AppError(kitErrors.BAD_REQUEST, error.message))
  void reply
    .code(problem.status)
    .header('x-request-id', request.id)
    .type('application/problem+json')
    .send({ ...problem, instance: request.url.split('?')[0], request_id: request.id })
}

/**
 * Fastify's form of a {@link TrustProxy}. A hop count becomes a function of the hop's index:
 * Fastify refuses to trust anything for a bare number (it cannot tell a proxy from a client that
 * sends its own `x-forwarded-for`), while a hop count is the operator saying that only the proxies
 * can reach this process, as in Express.
 */
function trustProxyOption(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') {
    return (_address, hop) => hop < trust
  }
  return typeof trust === 'object' ? [...trust] : trust
}
