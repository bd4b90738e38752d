import { Id } from '@storefront/contracts'
import type { RoutePlugin } from '@storefront/service-kit'
import { Type } from 'typebox'

import { presentedToken, signedInUser } from '../../auth/auth-plugin.js'
import type { DemoSessions } from '../../auth/demo-sessions.js'
import { clearSessionCookie, setSessionCookie } from '../../auth/session-cookie.js'
import type { TokenVerifier } from '../../auth/token-verifier.js'

const LoginBody = Type.Object({
  user_id: Type.With(Id, { description: 'The demo user to sign in as (the seed data has users 1, 2 and 3).' }),
}, { additionalProperties: false })

const LoginAnswer = Type.Object({
  token: Type.String({ description: 'The session token, for `authorization: Bearer`; the same token is set as the session cookie.' }),
})

const MeAnswer = Type.Object({ user_id: Id })

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
    app.post('/auth/login', {
      config: {
        docs: {
          headers: ['set-cookie', 'cache-control'],
          security: [],
          request: { body: { user_id: 3 } },
          response: { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIzIn0.c2lnbmF0dXJl' },
        },
      },
      schema: { summary: 'Sign in as a demo user', tags: ['auth'], body: LoginBody, response: { 200: LoginAnswer } },
    }, async (request, reply) => {
      const session = await sessions.issue(request.body.user_id)
      void setSessionCookie(reply, session.token, session.ttlS).header('cache-control', 'no-store')
      return { token: session.token }
    })
  }
  app.post('/auth/logout', {
    config: { docs: { noContent: true, headers: ['set-cookie'], security: [{}, { session: [] }, { bearer: [] }] } },
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
    config: { auth: 'required', docs: { headers: ['cache-control'], response: { user_id: 3 } } },
    schema: { summary: 'The signed-in user', tags: ['auth'], response: { 200: MeAnswer } },
  }, (request, reply) => {
    void reply.header('cache-control', 'private, no-store')
    return { user_id: signedInUser(request) }
  })
}
