import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { UNCACHED_BFF, signIn, useBrowserSuite } from './browser-suite.js'
import { openPage } from './open-page.js'
import { browserTestsUnavailable } from './system.js'

const unavailable = browserTestsUnavailable()
if (unavailable !== undefined) {
  console.warn(`[storefront] Skipping the browser tests: ${unavailable}.`)
}

/** Ports of their own, so a running `npm start` (8000-9000) is never in the way. */
const BASE_PORT = 23_000

/** The errors of each page `open` made: what its console logged (a content security policy violation is one) and every answer of 400 or more. */
const consoleErrors = new WeakMap<Page, string[]>()

describe.skipIf(unavailable !== undefined)('the pages, in Chromium, against a running system', () => {
  const suite = useBrowserSuite(BASE_PORT, UNCACHED_BFF)

  /** A fresh page (own cookies) at `width`, which saves a screenshot if the test fails. */
  const open = (path: string, width = 1280): Promise<Page> => openPage(suite.browser, suite.system, path, { width, before: watchErrors })

  /** Records what the page's console logs as an error, and every answer of 400 or more, in {@link consoleErrors}. */
  function watchErrors(page: Page): void {
    const logged: string[] = []
    page.on('console', (message) => {
      // A failed load is logged with its URL below; Chromium's own line names none.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        logged.push(message.text())
      }
    })
    page.on('response', (response) => {
      // Chromium asks for /favicon.ico on its own; the pages declare none.
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
        logged.push(`${response.status()} ${response.url()}`)
      }
    })
    consoleErrors.set(page, logged)
  }

  const cartCount = (page: Page) => page.locator('#cart-counter [data-count]').textContent()
  const productCards = (page: Page) => page.locator('.product')

  it('lets a shopper sign in, see products with stock, add to the cart, still see it after a reload, and sign out', async () => {
    const page = await open('/')
    await expect.poll(() => productCards(page).count()).toBe(10)
    await signIn(page, 2)
    // The seed data gives user 2 three cart lines: products 1, 2 and 5.
    await expect.poll(() => cartCount(page)).toBe('3')
    const badges = await page.locator('.product .stock').allTextContents()
    expect(badges).toHaveLength(10)
    for (const badge of badges) {
      expect(badge).toMatch(/^(In stock|Low stock: \d+ left|Out of stock)$/)
    }
    const card = page.locator('.product[data-product-id="7"]')
    await card.getByRole('button', { name: 'Add Cotton Socks to cart' }).click()
    // Optimistic: the counter moves before the answer; and stays once it comes.
    await expect.poll(() => cartCount(page)).toBe('4')
    await expect.poll(() => page.locator('#toast').textContent()).toMatch(/^Added /)
    await page.reload()
    await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe('Signed in as user 2')
    await expect.poll(() => cartCount(page)).toBe('4')
    // Signing out forgets the user: no counts, the sign-in form back, and the session cookie gone.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true)
    await expect.poll(() => cartCount(page)).toBe('–')
    expect((await page.context().cookies()).filter((cookie) => cookie.name === 'session')).toEqual([])
  })

  it('rolls an optimistic add back, with a message, when the cart refuses the write', async () => {
    const page = await open('/')
    await signIn(page, 1)
    await expect.poll(() => cartCount(page)).toBe('3')
    await suite.system.setFaults('cart', { delay_ms: '300-300', error_rate: 1 })
    await page.getByRole('button', { name: 'Add Glass Teapot to cart' }).click()
    // Shown at once, before the (slow, failing) answer...
    await expect.poll(() => cartCount(page), { timeout: 250, interval: 20 }).toBe('4')
    // ...and taken back when it fails.
    await expect.poll(() => page.locator('#toast').textContent(), { timeout: 10_000 }).toMatch(/^Could not add /)
    expect(await cartCount(page)).toBe('3')
  })

  it('keeps the page usable with inventory failing: "Stock unavailable" on every product and a banner', async () => {
    await suite.system.setFaults('inventory', { delay_ms: null, error_rate: 1 })
    const page = await open('/')
    await expect.poll(() => productCards(page).count()).toBe(10)
    const badges = await page.locator('.product .stock').allTextContents()
    expect(new Set(badges)).toEqual(new Set(['Stock unavailable']))
    const banner = page.getByRole('status')
    await expect.poll(() => banner.isVisible()).toBe(true)
    expect(await banner.textContent()).toMatch(/unavailable right now: stock levels/)
    // Still usable: signing in and adding to the cart work without stock.
    await signIn(page, 3)
    await page.getByRole('button', { name: 'Add Steel Water Bottle to cart' }).click()
    await expect.poll(() => page.locator('#toast').textContent()).toMatch(/^Added /)
  })

  it('shows a retry button while products is down, and recovers once products returns', async () => {
    await suite.system.setFaults('products', { delay_ms: null, error_rate: 1 })
    const page = await open('/')
    const retry = page.getByRole('button', { name: 'Try again' })
    await expect.poll(() => retry.isVisible(), { timeout: 10_000 }).toBe(true)
    expect(await page.getByRole('alert').first().textContent()).toMatch(/catalogue is unavailable/)
    expect(await productCards(page).count()).toBe(0)
    await suite.system.setFaults('products', { delay_ms: null, error_rate: 0 })
    // The breaker lets a probe through after its reset interval; keep asking as a shopper would.
    await expect.poll(async () => {
      if (await retry.isVisible() && await retry.isEnabled()) {
        await retry.click()
      }
      return productCards(page).count()
    }, { timeout: 20_000, interval: 1000 }).toBe(10)
    expect(await page.locator('#page-error').isHidden()).toBe(true)
  })

  it('shows a breaker opening on the dashboard during a fault, and closing after it', async () => {
    const page = await open('/ops')
    const panel = page.locator('.panel[data-downstream="products"]')
    // The test before leaves products recovering from an outage: its breaker may need a probe to close.
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('closed')
    await page.getByRole('button', { name: 'Fail every call on products' }).click()
    await page.getByLabel('Send 5 page requests a second').check()
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 15_000 }).toBe('open')
    expect(await panel.locator('.state').textContent()).toBe('open')
    await page.getByRole('button', { name: 'Clear faults on products' }).click()
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 20_000 }).toBe('closed')
    await page.getByLabel('Send 5 page requests a second').uncheck()
  })

  it.each([375, 1280])('fits both pages in a %i px wide window without sideways scrolling', async (width) => {
    for (const path of ['/', '/ops']) {
      const page = await open(path, width)
      await page.waitForSelector(path === '/' ? '.product' : '.panel')
      // Strings, not functions: they run in the page, and this program has no DOM types.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
      expect({ path, overflow }).toEqual({ path, overflow: 0 })
    }
  })

  it('shows the API docs: Swagger UI renders the BFF\'s OpenAPI document under the content security policy', async () => {
    const page = await open('/docs')
    const operation = page.locator('.opblock-summary-path[data-path="/products/all"]')
    await expect.poll(() => operation.isVisible(), { timeout: 10_000 }).toBe(true)
    expect(await page.locator('.opblock-summary-path[data-path="/auth/login"]').count()).toBe(1)
    // A script or style the policy refused, or a file that did not load, is listed here.
    expect(consoleErrors.get(page)).toEqual([])
  })

  it('can be used from the keyboard: a skip link first, sign-in with Enter, and a name on every control', async () => {
    const page = await open('/')
    await page.waitForSelector('.product')
    await page.keyboard.press('Tab')
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to products')
    await page.locator('#user-select').focus()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe('Signed in as user 1')
    // Every control has an accessible name.
    const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, select, input')].filter((element) => {
      const label = element.getAttribute('aria-label') ?? (element.id === '' ? null : document.querySelector('label[for="' + element.id + '"]')?.textContent) ?? element.textContent
      return label === null || label.trim() === ''
    }).map((element) => element.outerHTML)`)
    expect(unnamed).toEqual([])
  })
})
