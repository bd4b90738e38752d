import { MAX_ID, type RoutePlugin } from '@storefront/service-kit'

import { presentedToken, signedInUser } from '../../auth/auth-plugin.js'
import type { DemoSessions } from '../../auth/demo-sessions.js'
import { clearSessionCookie, setSessionCookie } from '../../auth/session-cookie.js'
import type { TokenVerifier } from '../../auth/token-verifier.js'

const loginBody = {
  type: 'object',
  required: ['user_id'],
  additionalProperties: false,
  properties: { user_id: { type: 'integer', minimum: 1, maximum: MAX_ID, description: 'The demo user to sign in as (the seed data has users 1, 2 and 3).' } },
} as const

const loginAnswer = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', description: 'The session token, for `authorization: Bearer`; the same token is set as the session cookie.' } },
} as const

const meAnswer = {
  type: 'object',
  required: ['user_id'],
  properties: { user_id: { type: 'integer' } },
} as const

/** What the sign-in routes need: the demo session issuer (absent under `AUTH_MODE=jwt`) and the verifier that revokes. */
export interface AuthRoutesDeps {
  readonly sessions: DemoSessions | undefined
  readonly verifier: TokenVerifier
}

/**
 * `POST /auth/login` (demo mode only: under `AUTH_MODE=jwt` an identity provider signs users in),
 * `POST /auth/logout` and `GET /auth/me`, which tells a page who is signed in, since it cannot
 * read the HttpOnly cookie.
 */
export const authRoutes: RoutePlugin<AuthRoutesDeps> = async (app, deps) => {
  const sessions = deps.sessions
  if (sessions !== undefined) {
    app.post<{ Body: { user_id: number } }>('/auth/login', {
      schema: { summary: 'Sign in as a demo user', tags: ['auth'], body: loginBody, response: { 200: loginAnswer } },
    }, async (request, reply) => {
      const session = await sessions.issue(request.body.user_id)
      void setSessionCookie(reply, session.token, session.ttlS).header('cache-control', 'no-store')
      return { token: session.token }
    })
  }
  app.post('/auth/logout', {
    schema: { summary: 'Sign out: revokes the token sent (bearer or cookie) on this BFF and clears the cookie', tags: ['auth'] },
  }, async (request, reply) => {
    const token = presentedToken(request)
    if (token !== undefined) {
      // A copy of the token (another tab, a leaked log) must not outlive the sign-out.
      await deps.verifier.revoke(token)
    }
    void clearSessionCookie(reply).code(204).send()
  })
  app.get('/auth/me', {
    config: { auth: 'required' },
    schema: { summary: 'The signed-in user', tags: ['auth'], response: { 200: meAnswer } },
  }, (request, reply) => {
    void reply.header('cache-control', 'private, no-store')
    return { user_id: signedInUser(request) }
  })
}
