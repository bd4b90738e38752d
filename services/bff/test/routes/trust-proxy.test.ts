import { describe, expect, it } from 'vitest'

import { bffPerTest } from '../helper.js'

/**
 * `TRUST_PROXY`: only through trusted proxies do `x-forwarded-for` and `x-forwarded-proto` set the
 * client's address (the rate limit's key) and the protocol (the session cookie is `Secure` behind
 * HTTPS).
 */

const start = bffPerTest({ RATE_LIMIT_PER_MINUTE: '2' })

/** Three pages from `remoteAddress`, each claiming another client behind it; the statuses. */
async function threeForwardedPages(bff: Awaited<ReturnType<typeof start>>, remoteAddress: string): Promise<number[]> {
  const statuses: number[] = []
  for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    const response = await bff.app.inject({ method: 'GET', url: '/products/all', remoteAddress, headers: { 'x-forwarded-for': client } })
    statuses.push(response.statusCode)
  }
  return statuses
}

async function loginCookie(bff: Awaited<ReturnType<typeof start>>, remoteAddress: string): Promise<string> {
  const response = await bff.app.inject({ method: 'POST', url: '/auth/login', remoteAddress, headers: { 'x-forwarded-proto': 'https' }, payload: { user_id: 1 } })
  expect(response.statusCode).toBe(200)
  return String(response.headers['set-cookie'])
}

describe('without TRUST_PROXY', () => {
  it('ignores x-forwarded-for: a client cannot pick the address its rate limit counts under', async () => {
    const bff = await start()
    expect(await threeForwardedPages(bff, '10.0.0.9')).toEqual([200, 200, 429])
  })

  it('ignores x-forwarded-proto: the cookie is not marked Secure on plain HTTP', async () => {
    const bff = await start()
    expect(await loginCookie(bff, '10.0.0.9')).not.toMatch(/; Secure/)
  })
})

describe('TRUST_PROXY=1 (one proxy in front)', () => {
  it('counts each forwarded client on its own', async () => {
    const bff = await start({ TRUST_PROXY: '1' })
    expect(await threeForwardedPages(bff, '10.0.0.9')).toEqual([200, 200, 200])
  })

  it('marks the session cookie Secure behind HTTPS, and on logout too', async () => {
    const bff = await start({ TRUST_PROXY: '1' })
    expect(await loginCookie(bff, '10.0.0.9')).toMatch(/; Secure/)
    const logout = await bff.app.inject({ method: 'POST', url: '/auth/logout', remoteAddress: '10.0.0.9', headers: { 'x-forwarded-proto': 'https' } })
    expect(String(logout.headers['set-cookie'])).toMatch(/; Secure/)
  })
})

describe('TRUST_PROXY with addresses', () => {
  it('believes only the listed proxies', async () => {
    const bff = await start({ TRUST_PROXY: '10.0.0.0/8,192.0.2.10' })
    expect(await threeForwardedPages(bff, '10.1.2.3')).toEqual([200, 200, 200])
    expect(await threeForwardedPages(bff, '198.51.100.7')).toEqual([200, 200, 429])
    expect(await loginCookie(bff, '192.0.2.10')).toMatch(/; Secure/)
    expect(await loginCookie(bff, '192.0.2.11')).not.toMatch(/; Secure/)
  })
})
