import { randomBytes } from 'node:crypto'

import compress from '@fastify/compress'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import { addLocalSpanProcessor, createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import { PageAdmission } from './admission/page-admission.js'
import { authPlugin } from './auth/auth-plugin.js'
import { DEMO_AUDIENCE, DEMO_ISSUER, DemoSessions } from './auth/demo-sessions.js'
import { type TokenVerifier, createTokenVerifier, keySetFrom } from './auth/token-verifier.js'
import { createPageCaches } from './cache/page-caches.js'
import { type ClientTuning, DOWNSTREAMS, type DownstreamClients, closeDownstreamClients, createDownstreamClients } from './clients/downstream-clients.js'
import { type BffEnv, isOpenDemo } from './config.js'
import { attachAdmissionMetrics } from './metrics/admission-metrics.js'
import { attachCacheMetrics } from './metrics/cache-metrics.js'
import { DownstreamMetrics } from './metrics/downstream-metrics.js'
import { BFF_SECURITY_SCHEMES, bffRouteAnswers } from './openapi/bff-route-answers.js'
import { requireOperatorToken } from './plugins/operator-access.js'
import { rateLimitPlugin } from './plugins/rate-limit/index.js'
import { securityHeadersPlugin } from './plugins/security-headers.js'
import { staticFileOptions } from './plugins/static-files.js'
import { authRoutes } from './routes/auth/index.js'
import { cartRoutes } from './routes/cart/index.js'
import { docsRoutes } from './routes/docs/index.js'
import { favoritesRoutes } from './routes/favorites/index.js'
import { opsRoutes } from './routes/ops/index.js'
import { pageRoutes } from './routes/pages/index.js'
import { productRoutes } from './routes/products/index.js'
import { RecordingRate } from './tracing/recording-rate.js'
import { SlowPageTraces } from './tracing/slow-page-traces.js'

/**
 * Pages a second the dashboard's waterfalls are recorded from, at most: all of them on a quiet
 * shop, a sample of a busy one, at a cost that stays under a millisecond of CPU a second.
 */
const RECORDED_PAGES_PER_SECOND = 20

/** What the app is built from besides its environment. */
export interface BffDeps {
  readonly logger?: FastifyServerOptions['logger']
  /** Per-downstream client settings (breaker, retries), e.g. for tests. */
  readonly clients?: Partial<Record<keyof DownstreamClients, ClientTuning>>
}

/** The BFF, ready to listen or to `inject` into. Never listens itself; closing it closes the downstream pools. */
export function buildApp(env: BffEnv, deps: BffDeps = {}): FastifyInstance {
  const admission = new PageAdmission(env.MAX_CONCURRENT_PAGES, env.ADAPTIVE_PAGE_LIMIT)
  const app = createServiceApp({
    service: 'bff',
    env,
    // Browsers and apps hold no service token; SERVICE_TOKEN is what the BFF sends downstream.
    requireServiceToken: false,
    trustProxy: env.TRUST_PROXY,
    logger: deps.logger,
    // Before every other hook: a shed page must cost as little as possible.
    admission: admission.onRequest,
    openapi: {
      title: 'Storefront BFF',
      description: 'The backend-for-frontend: the one API a browser or app talks to.',
      securitySchemes: BFF_SECURITY_SCHEMES,
      // Its Swagger UI serves the document, at /docs/json.
      serveJson: false,
      describeRoute: bffRouteAnswers({ rateLimited: env.RATE_LIMIT_PER_MINUTE > 0 }),
    },
  })
  if (!isOpenDemo(env)) {
    requireOperatorToken(app, env.OPS_TOKEN)
  }
  const metrics = new DownstreamMetrics()
  const caches = createPageCaches(env)
  const clients = createDownstreamClients(env, deps.clients, metrics.record)
  const traces = new SlowPageTraces()
  const recordingRate = new RecordingRate({ perSecond: RECORDED_PAGES_PER_SECOND })
  // Pages are recorded while the loop has room: at full load the recording's cost would come out
  // of the pages themselves, and a page slow for want of CPU says nothing a waterfall could show.
  const stopTraces = addLocalSpanProcessor(traces, () => !admission.busy && recordingRate.take())
  app.addHook('onClose', async () => {
    stopTraces()
    await traces.shutdown()
    admission.close()
    await closeDownstreamClients(clients)
  })
  const { sessions, verifier } = signIn(env)

  void app.register(securityHeadersPlugin, {
    contentSecurityPolicy: {
      // The BFF is served over plain HTTP on a laptop: upgrading its own requests would break them.
      directives: { upgradeInsecureRequests: null },
    },
  })
  if (env.RATE_LIMIT_PER_MINUTE > 0) {
    void app.register(rateLimitPlugin, { perMinute: env.RATE_LIMIT_PER_MINUTE, redisUrl: env.RATE_LIMIT_REDIS_URL, redisTimeoutMs: env.RATE_LIMIT_REDIS_TIMEOUT_MS })
  }
  // Pages, scripts, CSS, the API docs and large JSON answers go out as br or gzip, as the client
  // asks. An answer under 1 KiB (a page of a few products, a problem) goes out as it is: the few
  // hundred bytes saved are not worth a compressor call on the hot path. A JSON answer up to 64 KiB
  // is compressed in one call rather than through a stream, which costs a millisecond or more of
  // CPU per answer whatever its size (decision 0003). Request bodies are never decompressed: the
  // API takes plain JSON, as before. Registered before the routes it applies to.
  void app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024, syncThreshold: 65_536, globalDecompression: false })
  // @fastify/static answers a revalidation with an empty stream, which @fastify/compress would pipe
  // through a compressor and label `content-encoding: br`. A 304 has no body to encode.
  app.addHook('onSend', (_request, reply, payload, done) => {
    done(null, reply.statusCode === 304 ? null : payload)
  })
  void app.register(cookie)
  void app.register(fastifyStatic, staticFileOptions)
  void app.register(authPlugin, { verifier })
  // Routes in a plugin of their own, registered last, so every hook above applies to them: one
  // plugin per resource, given what it needs as its options (routes/README.md).
  void app.register(async (scope) => {
    metrics.attach(scope.metrics, DOWNSTREAMS.map((name) => clients[name]))
    attachCacheMetrics(scope.metrics, caches)
    attachAdmissionMetrics(scope.metrics, admission)
    await scope.register(authRoutes, { sessions, verifier })
    await scope.register(productRoutes, { env, clients, caches, metrics })
    await scope.register(cartRoutes, { env, clients })
    await scope.register(favoritesRoutes, { env, clients })
    await scope.register(opsRoutes, { env, clients, metrics, caches, admission, traces })
    await scope.register(docsRoutes)
    await scope.register(pageRoutes)
  })
  return app
}

/** Sign-in by mode: demo sessions signed here, or tokens of an identity provider verified here. */
function signIn(env: BffEnv): { sessions: DemoSessions | undefined; verifier: TokenVerifier } {
  if (env.AUTH_MODE === 'demo') {
    // Unset: a secret for this process only, so a restart signs everyone out (fine for a demo).
    const secret = env.AUTH_SECRET === undefined ? randomBytes(32) : new TextEncoder().encode(env.AUTH_SECRET)
    return {
      sessions: new DemoSessions(secret, env.AUTH_SESSION_TTL_S),
      verifier: createTokenVerifier({ key: secret, issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE }),
    }
  }
  const shared = env.AUTH_JWT_SECRET ?? env.AUTH_SECRET
  const key = env.AUTH_JWKS_URL === undefined ? new TextEncoder().encode(shared) : keySetFrom(env.AUTH_JWKS_URL)
  return { sessions: undefined, verifier: createTokenVerifier({ key, issuer: env.AUTH_JWT_ISSUER, audience: env.AUTH_JWT_AUDIENCE }) }
}
