import { type DescribeRoute, kitErrors } from '@storefront/service-kit'

import { bffErrors } from '../errors.js'
import { isOperatorRoute } from '../plugins/operator-access.js'

/** The BFF's security schemes, as its OpenAPI document names them. */
export const BFF_SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: 'session', description: 'The HttpOnly session cookie `POST /auth/login` sets.' },
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token (`POST /auth/login`) or, under `AUTH_MODE=jwt`, an identity provider\'s token.' },
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description: '`authorization: Bearer <OPS_TOKEN>`, for `GET /metrics` and the data routes under `/ops/`. Not asked for in demo mode on a loopback address.',
  },
} as const

/** Routes the kit registers before the rate limit: a load balancer or a scraper is never limited. */
const UNLIMITED = new Set(['/health/live', '/health/ready', '/metrics'])

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Options of {@link bffRouteAnswers}. */
export interface BffRouteAnswersOptions {
  /** Whether the rate limit is on (`RATE_LIMIT_PER_MINUTE` > 0). */
  readonly rateLimited: boolean
}

/**
 * What the BFF's own plugins answer on a route, for its OpenAPI operation: the rate limit (429
 * with `retry-after`, and the `x-ratelimit-*` headers on every answer), sign-in on routes with
 * `config.auth` (401 for a bad, revoked or, where required, missing token; 403 for a cross-site
 * write; `set-cookie` clearing a bad session cookie), the operator token on `/metrics` and `/ops/*`
 * (401, 403), and page admission (503 `SVC_ERR_OVERLOADED` with `retry-after`).
 */
export function bffRouteAnswers(options: BffRouteAnswersOptions): DescribeRoute {
  return (route, answers) => {
    const config = route.config ?? {}
    if (options.rateLimited && !UNLIMITED.has(route.url)) {
      answers.problem(bffErrors.RATE_LIMITED, 'retry-after').header('x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset')
    }
    if (config.auth !== undefined) {
      answers.problem(bffErrors.BAD_TOKEN, 'www-authenticate').problem(bffErrors.SESSION_REVOKED, 'www-authenticate').header('set-cookie')
      if (config.auth === 'required') {
        answers.problem(bffErrors.SIGN_IN_REQUIRED, 'www-authenticate')
        answers.security = [{ session: [] }, { bearer: [] }]
      } else {
        answers.security = [{}, { session: [] }, { bearer: [] }]
      }
      const methods = typeof route.method === 'string' ? [route.method] : route.method
      if (methods.some((method) => UNSAFE_METHODS.has(method))) {
        answers.problem(bffErrors.CROSS_SITE)
      }
    }
    if (isOperatorRoute(route.url)) {
      answers.problem(bffErrors.OPS_TOKEN_REQUIRED, 'www-authenticate').problem(bffErrors.OPS_TOKEN_WRONG)
      answers.security = [{ operatorToken: [] }]
    }
    if (config.pageAdmission === true) {
      answers.problem(kitErrors.OVERLOADED, 'retry-after')
    }
  }
}
