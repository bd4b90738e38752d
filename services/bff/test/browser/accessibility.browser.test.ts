import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { controlNames, focused } from './accessibility-tree.js'
import { axeViolations } from './axe.js'
import { UNCACHED_BFF, signIn, useBrowserSuite } from './browser-suite.js'
import { type OpenPageOptions, openPage } from './open-page.js'
import { browserTestsUnavailable } from './system.js'

const unavailable = browserTestsUnavailable()

/** Ports of their own, apart from pages.browser.test.ts (23 000) and a running `npm start`. */
const BASE_PORT = 23_100

describe.skipIf(unavailable !== undefined)('the pages, for keyboard and screen reader users', () => {
  const suite = useBrowserSuite(BASE_PORT, UNCACHED_BFF)

  const open = (path: string, options: OpenPageOptions = {}): Promise<Page> => openPage(suite.browser, suite.system, path, options)

  /** Heading levels of the visible headings, in document order. */
  const headingLevels = (page: Page) => page.evaluate<number[]>(
    '[...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter((heading) => heading.checkVisibility()).map((heading) => Number(heading.tagName[1]))',
  )

  /** Resolves once the dashboard has drawn `count` more polls. */
  async function polls(page: Page, count: number): Promise<void> {
    for (let seen = 0; seen < count; seen++) {
      const before = await page.locator('#updated').textContent()
      await expect.poll(() => page.locator('#updated').textContent(), { timeout: 5000 }).not.toBe(before)
    }
  }

  describe('axe-core finds no violation (WCAG 2.x A and AA, and best practices)', () => {
    it('on the storefront, anonymous', async () => {
      const page = await open('/', { bypassCSP: true })
      await page.waitForSelector('.product')
      expect(await axeViolations(page)).toEqual([])
    })

    it('on the storefront, signed in, with a message showing', async () => {
      const page = await open('/', { bypassCSP: true })
      await signIn(page, 1)
      await page.getByRole('button', { name: 'Add Cotton Socks to cart' }).click()
      await expect.poll(() => page.locator('#toast').textContent()).toMatch(/^Added /)
      expect(await axeViolations(page)).toEqual([])
    })

    it('on the storefront, degraded, with the banner showing', async () => {
      await suite.system.setFaults('inventory', { delay_ms: null, error_rate: 1 })
      const page = await open('/', { bypassCSP: true })
      await expect.poll(() => page.getByRole('status').isVisible()).toBe(true)
      expect(await axeViolations(page)).toEqual([])
    })

    it('on the storefront, with the catalogue down', async () => {
      await suite.system.setFaults('products', { delay_ms: null, error_rate: 1 })
      const page = await open('/', { bypassCSP: true })
      await expect.poll(() => page.locator('#page-error').isVisible(), { timeout: 10_000 }).toBe(true)
      expect(await axeViolations(page)).toEqual([])
    })

    it('on the dashboard', async () => {
      const page = await open('/ops', { bypassCSP: true })
      await page.waitForSelector('.panel')
      expect(await axeViolations(page)).toEqual([])
    })

    it('on the dashboard asking for the operator token', async () => {
      const page = await open('/ops', { bypassCSP: true, before: refuseOperatorRoutes })
      await expect.poll(() => page.locator('#ops-token-form').isVisible()).toBe(true)
      expect(await axeViolations(page)).toEqual([])
    })
  })

  it('names every storefront control after what it acts on, and no two alike', async () => {
    const page = await open('/')
    await page.waitForSelector('.product')
    const anonymous = await controlNames(page)
    expect(anonymous).toContain('button "Add Ceramic Coffee Mug to cart"')
    expect(anonymous).toContain('button "Add Ceramic Coffee Mug to favorites"')
    expect(new Set(anonymous).size).toBe(anonymous.length)
    // The visible words stay short; the product's name is for those who do not see the card.
    expect(await page.evaluate<string>(`(() => {
      const button = document.querySelector('.product[data-product-id="1"] .add').cloneNode(true)
      button.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove())
      return button.textContent
    })()`)).toBe('Add to cart')
    await signIn(page, 1)
    // The seed data gives user 1 products 1, 2 and 3 as favorites.
    const favorite = page.getByRole('button', { name: 'Remove Ceramic Coffee Mug from favorites', exact: true })
    await expect.poll(() => favorite.isVisible()).toBe(true)
    await favorite.click()
    await expect.poll(() => page.getByRole('button', { name: 'Add Ceramic Coffee Mug to favorites', exact: true }).isVisible()).toBe(true)
    const signedIn = await controlNames(page)
    expect(new Set(signedIn).size).toBe(signedIn.length)
  })

  it('names every dashboard control after the downstream it acts on, the token form included', async () => {
    const page = await open('/ops')
    await page.waitForSelector('.panel')
    const names = await controlNames(page)
    for (const downstream of ['products', 'inventory', 'favorites', 'cart']) {
      expect(names).toContain(`button "Fail every call on ${downstream}"`)
      expect(names).toContain(`button "Slow: 0–5 s on ${downstream}"`)
      expect(names).toContain(`button "Clear faults on ${downstream}"`)
    }
    expect(names).toContain('checkbox "Send 5 page requests a second"')
    expect(new Set(names).size).toBe(names.length)
    const locked = await open('/ops', { before: refuseOperatorRoutes })
    await expect.poll(() => locked.locator('#ops-token-form').isVisible()).toBe(true)
    expect((await controlNames(locked)).sort()).toEqual([
      'button "Use operator token"',
      'checkbox "Send 5 page requests a second"',
      'link "API"',
      'link "Prometheus metrics"',
      'link "Storefront"',
      'textbox "Operator token (OPS_TOKEN)"',
    ])
  })

  it('has one h1 and no skipped heading level on either page', async () => {
    const storefront = await open('/')
    await storefront.waitForSelector('.product')
    expect(await headingLevels(storefront)).toEqual([1, 2, ...Array<number>(10).fill(3)])
    const dashboard = await open('/ops')
    await dashboard.waitForSelector('.panel')
    await expect.poll(() => dashboard.locator('.panel').count()).toBe(4)
    // Pages in progress, the page caches, the panels ("Downstreams" is visually hidden), then the
    // slow and degraded pages, each a section of its own.
    expect(await headingLevels(dashboard)).toEqual([1, 2, 2, 2, 3, 3, 3, 3, 2])
  })

  it('keeps focus on an Add to cart button through the add and the list drawn again from the answer', async () => {
    const page = await open('/')
    await signIn(page, 2)
    const add = page.getByRole('button', { name: 'Add Cotton Socks to cart' })
    await add.focus()
    const redrawn = page.waitForResponse((response) => new URL(response.url()).pathname === '/products/all')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#toast').textContent()).toMatch(/^Added /)
    await redrawn
    await expect.poll(() => focused(page)).toBe('button "Add Cotton Socks to cart"')
    // And the keyboard goes on from there, not from the top of the page.
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('button "Add Cotton Socks to favorites"')
  })

  it('keeps focus on a favorite button as it toggles', async () => {
    const page = await open('/')
    await signIn(page, 2)
    const favorite = page.getByRole('button', { name: 'Add Wool Beanie to favorites', exact: true })
    // The button is aria-disabled, and ignores a press, until the user's favorites are known and
    // while its write waits for the answer: press it only when it is ready, as its state says.
    const ready = (): Promise<string | null> => page.locator('.favorite', { hasText: 'Wool Beanie' }).getAttribute('aria-disabled')
    await expect.poll(ready).toBeNull()
    await favorite.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#favorites-counter [data-count]').textContent()).toBe('1')
    await expect.poll(() => focused(page)).toBe('button "Remove Wool Beanie from favorites"')
    await expect.poll(ready).toBeNull()
    await page.keyboard.press('Enter')
    await expect.poll(() => focused(page)).toBe('button "Add Wool Beanie to favorites"')
  })

  it('moves focus from Sign in to Sign out and back, so the keyboard stays in the account area', async () => {
    const page = await open('/')
    await page.waitForSelector('.product')
    await page.getByRole('button', { name: 'Sign in' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe('Signed in as user 1')
    await page.waitForSelector('.product')
    await expect.poll(() => focused(page)).toBe('button "Sign out"')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true)
    await expect.poll(() => focused(page)).toBe('button "Sign in"')
  })

  it('moves focus to the products when a retry brings the catalogue back', async () => {
    await suite.system.setFaults('products', { delay_ms: null, error_rate: 1 })
    const page = await open('/')
    const retry = page.getByRole('button', { name: 'Try again' })
    await expect.poll(() => retry.isVisible(), { timeout: 10_000 }).toBe(true)
    await retry.focus()
    await suite.system.setFaults('products', { delay_ms: null, error_rate: 0 })
    await expect.poll(async () => {
      if (await retry.isVisible()) {
        await page.keyboard.press('Enter')
      }
      return page.locator('.product').count()
    }, { timeout: 20_000, interval: 1000 }).toBe(10)
    await expect.poll(() => focused(page)).toBe('region "Products"')
  })

  it('keeps focus on a fault button while the dashboard polls', async () => {
    const page = await open('/ops')
    await page.waitForSelector('.panel')
    await page.getByRole('button', { name: 'Clear faults on inventory' }).focus()
    await page.keyboard.press('Enter')
    await polls(page, 2)
    expect(await focused(page)).toBe('button "Clear faults on inventory"')
  })

  it('describes both pages for search results and link previews (a meta description)', async () => {
    for (const path of ['/', '/ops']) {
      const page = await open(path)
      const description = await page.locator('meta[name="description"]').getAttribute('content')
      expect({ path, long: (description?.length ?? 0) > 20 }).toEqual({ path, long: true })
    }
  })
})

/** Answers the dashboard's data routes as a BFF outside demo mode does without a token. */
async function refuseOperatorRoutes(page: Page): Promise<void> {
  await page.route(/\/ops\/(stats|faults)/, (route) => route.fulfill({
    status: 401,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', status: 401, title: 'Operator token required', detail: 'Send authorization: Bearer <OPS_TOKEN>.', code: 'BFF_ERR_OPS_TOKEN_REQUIRED' }),
  }))
}
