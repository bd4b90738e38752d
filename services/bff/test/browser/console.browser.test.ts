import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { useBrowserSuite } from './browser-suite.js'
import { openPage } from './open-page.js'
import { browserTestsUnavailable } from './system.js'

const unavailable = browserTestsUnavailable()

/** Ports of their own, apart from the other browser tests (23 000 to 23 300) and a running `npm start`. */
const BASE_PORT = 23_400

/** A cookie the browser holds before the visit. */
interface Cookie {
  readonly name: string
  readonly value: string
}

describe.skipIf(unavailable !== undefined)('an anonymous visit, in Chromium: nothing in the console', () => {
  const suite = useBrowserSuite(BASE_PORT)

  /**
   * Opens `path` holding `cookies`, waits until the page has drawn its data (the dashboard two
   * polls of it), and returns everything logged meanwhile: each console message of any type, each
   * uncaught error, each request that failed and each answer of 400 or more.
   */
  async function visit(path: string, cookies: readonly Cookie[] = []): Promise<{ page: Page; logged: string[] }> {
    const logged: string[] = []
    const page = await openPage(suite.browser, suite.system, path, {
      before: async (watched) => {
        await watched.context().addCookies(cookies.map((cookie) => ({ ...cookie, url: suite.system.url })))
        watched.on('console', (message) => logged.push(`console ${message.type()}: ${message.text()}`))
        watched.on('pageerror', (error) => logged.push(`page error: ${error.message}`))
        watched.on('requestfailed', (request) => logged.push(`failed request: ${request.url()} (${request.failure()?.errorText ?? 'no reason'})`))
        watched.on('response', (response) => {
          if (response.status() >= 400) {
            logged.push(`answer ${response.status()}: ${response.url()}`)
          }
        })
      },
    })
    if (path === '/ops') {
      await page.waitForSelector('.panel')
      for (let poll = 0; poll < 2; poll++) {
        const before = await page.locator('#updated').textContent()
        await expect.poll(() => page.locator('#updated').textContent(), { timeout: 5000 }).not.toBe(before)
      }
    } else {
      await page.waitForSelector('.product')
      await page.waitForLoadState('networkidle')
    }
    return { page, logged }
  }

  /** The names of the cookies the page's browser holds now. */
  async function cookieNames(page: Page): Promise<string[]> {
    return (await page.context().cookies()).map((cookie) => cookie.name).sort()
  }

  it.each(['/', '/ops'])('logs nothing on %s: no error, no warning, no failed request', async (path) => {
    const { logged } = await visit(path)
    expect(logged).toEqual([])
  })

  it('logs nothing on / when a signed_in hint outlived its session cookie, and forgets the hint', async () => {
    const { page, logged } = await visit('/', [{ name: 'signed_in', value: '1' }])
    expect(logged).toEqual([])
    expect(await cookieNames(page)).toEqual([])
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true)
  })

  it('logs nothing on / when the session cookie is one the BFF no longer accepts, and forgets both cookies', async () => {
    // A session signed out by its bearer token: the cookie still holds the token, now revoked.
    const login = await fetch(`${suite.system.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 1 }) })
    const { token } = (await login.json()) as { token: string }
    const logout = await fetch(`${suite.system.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    expect(logout.status).toBe(204)
    const { page, logged } = await visit('/', [{ name: 'session', value: token }, { name: 'signed_in', value: '1' }])
    expect(logged).toEqual([])
    expect(await cookieNames(page)).toEqual([])
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true)
  })
})
