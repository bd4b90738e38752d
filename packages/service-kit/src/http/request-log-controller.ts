import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The level of this route's "incoming request" and "request completed" lines, when not
     * `info`. Routes that machines poll (health checks, `/metrics`, a dashboard's figures) say
     * `'debug'`, so that at the usual `LOG_LEVEL=info` the log shows the traffic people caused.
     * A request that errors is still logged at `error`.
     */
    requestLogLevel?: 'debug' | 'trace'
  }
}

/**
 * Fastify's request lines ("incoming request", "request completed"), at the level the route's
 * `config.requestLogLevel` names, `info` by default.
 *
 * Fastify's own route option `logLevel` cannot do this: it sets the threshold of the request's
 * logger, so `logLevel: 'debug'` lets more through, not less, and `'warn'` hides the lines even at
 * `LOG_LEVEL=debug`. A log controller chooses the level each line is written at instead.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    const level = request.routeOptions.config.requestLogLevel
    if (level === undefined || this.isLogDisabled(request)) {
      super.incomingRequest(request, reply)
      return
    }
    request.log[level]({ req: request }, 'incoming request')
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const level = request.routeOptions.config.requestLogLevel
    if (level === undefined || error !== null && error !== undefined || this.isLogDisabled(request)) {
      super.requestCompleted(error, request, reply)
      return
    }
    reply.log[level]({ res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}
