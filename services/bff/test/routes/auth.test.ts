import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'

import { bffPerTest, parseSetCookie, setCookie, startBff } from '../helper.js'

const start = bffPerTest()

const SECRET = 'a-test-secret-of-at-least-32-characters!'

/** A token as an identity provider would sign it with a shared secret. */
function providerToken(claims: { sub?: string; exp?: string | number; iss?: string; aud?: string }, secret = SECRET): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()
  if (claims.sub !== undefined) {
    jwt = jwt.setSubject(claims.sub)
  }
  if (claims.exp !== undefined) {
    jwt = jwt.setExpirationTime(claims.exp)
  }
  if (claims.iss !== undefined) {
    jwt = jwt.setIssuer(claims.iss)
  }
  if (claims.aud !== undefined) {
    jwt = jwt.setAudience(claims.aud)
  }
  return jwt.sign(new TextEncoder().encode(secret))
}

describe('POST /auth/login (demo mode)', () => {
  it('answers a token and sets an HttpOnly, SameSite=Lax session cookie holding it', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 3 } })
    expect(response.statusCode).toBe(200)
    const { token } = response.json<{ token: string }>()
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(parseSetCookie(setCookie(response, 'session'))).toEqual({
      cookie: `session=${token}`,
      attributes: { 'path': '/', 'max-age': '28800', 'httponly': true, 'samesite': 'Lax' },
    })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('sets a readable signed_in hint beside the session, holding nothing secret and lasting as long', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 3 } })
    const cookies = [response.headers['set-cookie']].flat().map(String)
    expect(cookies).toHaveLength(2)
    const hint = parseSetCookie(setCookie(response, 'signed_in'))
    // Scripts may read it (no HttpOnly): it tells the page whether asking /auth/me is worth a request.
    expect(hint).toMatchObject({ cookie: 'signed_in=1', attributes: { 'path': '/', 'max-age': '28800', 'samesite': 'Lax' } })
    expect(hint.attributes).not.toHaveProperty('httponly')
  })

  it('makes the cookie and the bearer token both name the user', async () => {
    const bff = await start()
    const login = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 2 } })
    const { token } = login.json<{ token: string }>()
    const byCookie = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: `theme=dark; session=${token}` } })
    const byBearer = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(byCookie.json()).toEqual({ user_id: 2 })
    expect(byBearer.json()).toEqual({ user_id: 2 })
    const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { cookie: `session=${token}` } })
    expect(page.json()).toMatchObject({ cart_items: 2, favorite_items: 3 })
    expect(bff.fakes.cart.requests[0]!.url).toBe('/users/2/cart')
  })

  it.each([
    [{}],
    [{ user_id: 0 }],
    [{ user_id: -1 }],
    [{ user_id: 99_999_999_999 }],
    [{ user_id: '1' }],
    [{ user_id: 1, admin: true }],
  ])('refuses %j with a 400 problem', async (payload) => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'POST', url: '/auth/login', payload })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.headers['set-cookie']).toBeUndefined()
  })

  it('signs sessions with AUTH_SECRET when it is set, so another process with the same secret accepts them', async () => {
    const first = await startBff({ AUTH_SECRET: SECRET })
    const second = await startBff({ AUTH_SECRET: SECRET })
    try {
      const headers = await first.signIn(1)
      const me = await second.app.inject({ method: 'GET', url: '/auth/me', headers })
      expect(me.json()).toEqual({ user_id: 1 })
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })

  it('refuses a session of a process that generated its own secret', async () => {
    const first = await startBff()
    const second = await startBff()
    try {
      const headers = await first.signIn(1)
      const me = await second.app.inject({ method: 'GET', url: '/auth/me', headers })
      expect(me.statusCode).toBe(401)
      expect(me.json()).toMatchObject({ code: 'BFF_ERR_BAD_TOKEN' })
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })
})

describe('credentials', () => {
  it('answers 401 with www-authenticate to a bad or expired bearer token, and to a malformed header', async () => {
    const bff = await start({ AUTH_SECRET: SECRET })
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setIssuer('storefront-bff').setAudience('storefront')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(new TextEncoder().encode(SECRET))
    for (const authorization of [`Bearer ${expired}`, 'Bearer not.a.token', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const response = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { authorization } })
      expect({ authorization, status: response.statusCode }).toEqual({ authorization, status: 401 })
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/)
      expect(response.json()).toMatchObject({ code: 'BFF_ERR_BAD_TOKEN', status: 401 })
      expect(response.body).not.toContain(expired)
    }
    expect(bff.fakes.products.requests).toHaveLength(0)
  })

  it('treats a stale session cookie as anonymous and clears it and its hint, so the catalogue still shows', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { cookie: 'session=stale.token.value' } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: null, degraded: [] })
    expect(parseSetCookie(setCookie(response, 'session'))).toMatchObject({ cookie: 'session=', attributes: { 'path': '/', 'max-age': '0' } })
    expect(parseSetCookie(setCookie(response, 'signed_in'))).toMatchObject({ cookie: 'signed_in=', attributes: { 'path': '/', 'max-age': '0' } })
  })

  it('refuses a demo token signed with the right secret but for another audience', async () => {
    const bff = await start({ AUTH_SECRET: SECRET })
    const token = await providerToken({ sub: '1', exp: '1h', iss: 'storefront-bff', aud: 'someone-else' })
    const response = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(401)
  })

  it('POST /auth/logout answers 204 and clears the cookie and its hint', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'POST', url: '/auth/logout' })
    expect(response.statusCode).toBe(204)
    expect(parseSetCookie(setCookie(response, 'session'))).toMatchObject({
      cookie: 'session=',
      attributes: { 'path': '/', 'max-age': '0', 'httponly': true, 'samesite': 'Lax' },
    })
    expect(parseSetCookie(setCookie(response, 'signed_in'))).toMatchObject({ cookie: 'signed_in=', attributes: { 'path': '/', 'max-age': '0', 'samesite': 'Lax' } })
  })

  it('refuses a cookie-signed write from another site\'s page, but not one from its own', async () => {
    const bff = await start()
    const { authorization } = await bff.signIn(1)
    const cookie = `session=${String(authorization).slice('Bearer '.length)}`
    const foreign = await bff.app.inject({ method: 'PUT', url: '/favorites/5', headers: { cookie, origin: 'https://evil.example', host: 'localhost:9000' } })
    expect(foreign.statusCode).toBe(403)
    expect(foreign.json()).toMatchObject({ code: 'BFF_ERR_CROSS_SITE_REQUEST' })
    expect(bff.fakes.favorites.requests).toHaveLength(0)
    const own = await bff.app.inject({ method: 'PUT', url: '/favorites/5', headers: { cookie, origin: 'http://localhost:9000', host: 'localhost:9000' } })
    expect(own.statusCode).toBe(204)
  })
})

describe('AUTH_MODE=jwt', () => {
  it('has no /auth/login, and takes tokens signed with AUTH_JWT_SECRET, checking issuer and audience', async () => {
    const bff = await start({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'https://id.example', AUTH_JWT_AUDIENCE: 'storefront' })
    const login = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 1 } })
    expect(login.statusCode).toBe(404)
    const good = await providerToken({ sub: '7', exp: '5m', iss: 'https://id.example', aud: 'storefront' })
    const me = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${good}` } })
    expect(me.json()).toEqual({ user_id: 7 })
    const cases = {
      wrongIssuer: await providerToken({ sub: '7', exp: '5m', iss: 'https://other.example', aud: 'storefront' }),
      wrongSecret: await providerToken({ sub: '7', exp: '5m', iss: 'https://id.example', aud: 'storefront' }, `${SECRET}-other`),
      noExpiry: await providerToken({ sub: '7', iss: 'https://id.example', aud: 'storefront' }),
      subjectNotAnId: await providerToken({ sub: 'alice', exp: '5m', iss: 'https://id.example', aud: 'storefront' }),
    }
    for (const [name, token] of Object.entries(cases)) {
      const response = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
      expect({ name, status: response.statusCode }).toEqual({ name, status: 401 })
    }
  })

  it('verifies RS256 tokens against the identity provider\'s key set at AUTH_JWKS_URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }
    const { createServer } = await import('node:http')
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') {
      throw new Error('no port')
    }
    try {
      const bff = await start({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/.well-known/jwks.json` })
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setSubject('4').setExpirationTime('5m').sign(privateKey)
      const me = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
      expect(me.json()).toEqual({ user_id: 4 })
      // A shared-secret token must not pass where keys are asymmetric (algorithm confusion).
      const hs = await providerToken({ sub: '4', exp: '5m' })
      const refused = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${hs}` } })
      expect(refused.statusCode).toBe(401)
    } finally {
      server.close()
    }
  })

  it('refuses to start in jwt mode without a way to verify tokens, naming the variable', async () => {
    const { readBffEnv } = await import('../../src/config.js')
    expect(() => readBffEnv({ AUTH_MODE: 'jwt', ALLOW_INSECURE_LOOPBACK: 'true' })).toThrow(/^Invalid environment variable AUTH_JWT_SECRET/)
    expect(() => readBffEnv({ AUTH_MODE: 'sso' })).toThrow(/AUTH_MODE/)
  })
})

describe('strict tokens', () => {
  /** A token with raw claims, signed as the demo sessions are (issuer and audience right). */
  function rawToken(claims: Record<string, unknown>): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({ iss: 'storefront-bff', aud: 'storefront', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET))
  }

  it.each([
    ['a number', { sub: 1 }],
    ['an array', { sub: ['1'] }],
    ['a decimal string', { sub: '1.0' }],
    ['a string with a sign', { sub: '+1' }],
    ['a string with leading zeros', { sub: '01' }],
    ['zero', { sub: '0' }],
    ['past 2^31 - 1', { sub: '2147483648' }],
    ['missing', { sub: undefined }],
  ])('refuses a validly signed token whose sub is %s with 401', async (_name, claims) => {
    const bff = await start({ AUTH_SECRET: SECRET })
    const token = await rawToken(claims)
    const response = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(401)
    expect(response.json()).toMatchObject({ code: 'BFF_ERR_BAD_TOKEN' })
  })

  it('accepts sub "2147483647", the largest id', async () => {
    const bff = await start({ AUTH_SECRET: SECRET })
    const token = await rawToken({ sub: '2147483647' })
    const response = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.json()).toEqual({ user_id: 2_147_483_647 })
  })

  it.each([
    ['1e20', 1e20],
    ['a hundred years away', Math.floor(Date.now() / 1000) + 100 * 365 * 24 * 3600],
    ['31 days away, past the longest session', Math.floor(Date.now() / 1000) + 31 * 24 * 3600],
  ])('refuses a token whose exp is %s with 401', async (_name, exp) => {
    const bff = await start({ AUTH_SECRET: SECRET })
    const token = await rawToken({ sub: '1', exp })
    const response = await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(401)
  })
})

describe('POST /auth/logout revokes the token', () => {
  it('makes the bearer token it was sent with a 401 for the rest of its life, and leaves other sessions alone', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    const other = await bff.signIn(2)
    expect((await bff.app.inject({ method: 'GET', url: '/auth/me', headers })).statusCode).toBe(200)
    const logout = await bff.app.inject({ method: 'POST', url: '/auth/logout', headers })
    expect(logout.statusCode).toBe(204)
    const after = await bff.app.inject({ method: 'GET', url: '/auth/me', headers })
    expect(after.statusCode).toBe(401)
    expect(after.json()).toMatchObject({ code: 'BFF_ERR_SESSION_REVOKED' })
    const write = await bff.app.inject({ method: 'PUT', url: '/favorites/5', headers })
    expect(write.statusCode).toBe(401)
    expect(bff.fakes.favorites.requests).toHaveLength(0)
    expect((await bff.app.inject({ method: 'GET', url: '/auth/me', headers: other })).json()).toEqual({ user_id: 2 })
  })

  it('makes the session cookie it was sent with anonymous afterwards, even if the browser keeps it', async () => {
    const bff = await start()
    const login = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 1 } })
    const cookie = `session=${login.json<{ token: string }>().token}`
    expect((await bff.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie } })).statusCode).toBe(204)
    const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.json()).toMatchObject({ cart_items: null, favorite_items: null })
    expect(bff.fakes.cart.requests).toHaveLength(0)
    expect((await bff.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } })).statusCode).toBe(401)
  })

  it('revokes a jwt-mode token too, on this process', async () => {
    const bff = await start({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: SECRET })
    const token = await providerToken({ sub: '7', exp: '5m' })
    const headers = { authorization: `Bearer ${token}` }
    expect((await bff.app.inject({ method: 'GET', url: '/auth/me', headers })).statusCode).toBe(200)
    expect((await bff.app.inject({ method: 'POST', url: '/auth/logout', headers })).statusCode).toBe(204)
    expect((await bff.app.inject({ method: 'GET', url: '/auth/me', headers })).statusCode).toBe(401)
  })

  it('answers 204 to an anonymous or stale logout without revoking anything', async () => {
    const bff = await start()
    expect((await bff.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: 'session=stale.token.value' } })).statusCode).toBe(204)
    expect((await bff.app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: 'Bearer not.a.token' } })).statusCode).toBe(204)
  })
})
