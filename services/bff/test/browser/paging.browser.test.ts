import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { focused } from './accessibility-tree.js'
import { axeViolations } from './axe.js'
import { signIn, useBrowserSuite } from './browser-suite.js'
import { type OpenPageOptions, openPage } from './open-page.js'
import { browserTestsUnavailable } from './system.js'

const unavailable = browserTestsUnavailable()

/** Ports of their own, apart from the other browser test files (23 000, 23 100) and a running `npm start`. */
const BASE_PORT = 23_200

/** Products in this system's demo catalogue: two full pages of 48 and a last one of 14. */
const CATALOGUE_SIZE = 110

/** What a stock badge says when the product's stock arrived. */
const KNOWN_STOCK = /^(In stock|Low stock: \d+ left|Out of stock)$/

/** `from`..`to`. */
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index)

describe.skipIf(unavailable !== undefined)('the storefront pages through a catalogue of 110 products, in Chromium', () => {
  // The launcher passes its environment on: products and inventory seed a fresh database with SEED_PRODUCTS.
  const suite = useBrowserSuite(BASE_PORT, { env: { SEED_PRODUCTS: String(CATALOGUE_SIZE) } })

  const open = (options: OpenPageOptions = {}): Promise<Page> => openPage(suite.browser, suite.system, '/', options)

  const cards = (page: Page) => page.locator('.product')
  const shownIds = (page: Page) => page.locator('.product').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-product-id'))))
  const loadMore = (page: Page) => page.getByRole('button', { name: 'Load more products', exact: true })
  const productName = async (page: Page, id: number): Promise<string> => (await page.locator(`.product[data-product-id="${id}"] h3`).textContent()) ?? ''

  /** Loads the page again, and once its products are drawn, returns what its degraded banner says. */
  const reloadedBanner = async (page: Page): Promise<string | null> => {
    await page.reload()
    await page.waitForSelector('.product')
    return page.locator('#degraded-banner').textContent()
  }

  /** Records the query of every `GET /products/all` the page makes. */
  const recordCatalogueRequests = (asked: string[]) => (page: Page): void => {
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.pathname === '/products/all') {
        asked.push(url.search)
      }
    })
  }

  it('shows the first 48 products, 48 more with their stock on each "Load more", and no button once the last is in', async () => {
    const asked: string[] = []
    const page = await open({ before: recordCatalogueRequests(asked) })
    await expect.poll(() => cards(page).count()).toBe(48)
    expect(await shownIds(page)).toEqual(range(1, 48))
    expect(await page.locator('#shown-count').textContent()).toBe('Showing 48 products.')
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(96)
    expect(await shownIds(page)).toEqual(range(1, 96))
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(CATALOGUE_SIZE)
    expect(await shownIds(page)).toEqual(range(1, CATALOGUE_SIZE))
    for (const badge of await page.locator('.product .stock').allTextContents()) {
      expect(badge).toMatch(KNOWN_STOCK)
    }
    expect(await page.locator('#load-more').isHidden()).toBe(true)
    expect(await page.locator('#shown-count').textContent()).toBe(`Showing all ${CATALOGUE_SIZE} products.`)
    // Only what is shown is asked for: a page at a time, each after the last id shown.
    expect(asked).toEqual(['?limit=48', '?limit=48&after=48', '?limit=48&after=96'])
  })

  it('moves focus to the first new product after "Load more", also after the last page, where the button goes away', async () => {
    const page = await open()
    await expect.poll(() => cards(page).count()).toBe(48)
    await loadMore(page).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => cards(page).count()).toBe(96)
    const name49 = await productName(page, 49)
    await expect.poll(() => focused(page)).toBe(`heading "${name49}"`)
    // The keyboard goes on from the new product, not from the top of the page.
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe(`button "Add ${name49} to cart"`)
    await loadMore(page).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => cards(page).count()).toBe(CATALOGUE_SIZE)
    await expect.poll(() => focused(page)).toBe(`heading "${await productName(page, 97)}"`)
    expect(await page.locator('#load-more').isHidden()).toBe(true)
  })

  it('keeps the pages loaded and the focused button through a sign-in and an add to the cart, reading them again in one request', async () => {
    const asked: string[] = []
    const page = await open({ before: recordCatalogueRequests(asked) })
    await expect.poll(() => cards(page).count()).toBe(48)
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(96)
    await signIn(page, 2)
    await expect.poll(() => page.locator('#cart-counter [data-count]').textContent()).toBe('3')
    expect(await shownIds(page)).toEqual(range(1, 96))
    // Product 60 is on the second page, and in stock in the seed data (24).
    const name60 = await productName(page, 60)
    await page.getByRole('button', { name: `Add ${name60} to cart`, exact: true }).focus()
    const redrawn = page.waitForResponse((response) => response.url().endsWith('/products/all?limit=96'))
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#toast').textContent()).toMatch(/^Added /)
    await redrawn
    await expect.poll(() => page.locator('#cart-counter [data-count]').textContent()).toBe('4')
    expect(await shownIds(page)).toEqual(range(1, 96))
    await expect.poll(() => focused(page)).toBe(`button "Add ${name60} to cart"`)
    expect(await loadMore(page).isVisible()).toBe(true)
    // First page, next page, then the sign-in and the add each read both pages at once.
    expect(asked).toEqual(['?limit=48', '?limit=48&after=48', '?limit=96', '?limit=96'])
  })

  it('has no axe violation with "Load more" showing, and none once every page is in', async () => {
    const page = await open({ bypassCSP: true })
    await expect.poll(() => cards(page).count()).toBe(48)
    expect(await axeViolations(page)).toEqual([])
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(96)
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(CATALOGUE_SIZE)
    expect(await axeViolations(page)).toEqual([])
  })

  it('says stock levels are saved values while inventory fails, and shows them', async () => {
    const page = await open({ bypassCSP: true })
    await expect.poll(() => cards(page).count()).toBe(48)
    await suite.system.setFaults('inventory', { delay_ms: null, error_rate: 1 })
    // Once the stock read above is older than the BFF's STOCK_TTL_MS, it stands in, marked stale.
    await expect.poll(() => reloadedBanner(page), { timeout: 10_000, interval: 500 }).toMatch(/Some stock levels are saved values and may be out of date\./)
    for (const badge of await page.locator('.product .stock').allTextContents()) {
      expect(badge).toMatch(KNOWN_STOCK)
    }
    expect(await axeViolations(page)).toEqual([])
  })

  it('says a saved catalogue is shown while products fails, and still pages through the pages it has seen', async () => {
    const page = await open({ bypassCSP: true })
    await expect.poll(() => cards(page).count()).toBe(48)
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(96)
    await suite.system.setFaults('products', { delay_ms: null, error_rate: 1 })
    // Once the catalogue read above is older than the BFF's CATALOGUE_TTL_MS, it stands in, marked stale.
    await expect.poll(() => reloadedBanner(page), { timeout: 10_000, interval: 500 }).toMatch(/^Showing a saved catalogue/)
    expect(await cards(page).count()).toBe(48)
    expect(await page.locator('#page-error').isHidden()).toBe(true)
    expect(await axeViolations(page)).toEqual([])
    await loadMore(page).click()
    await expect.poll(() => cards(page).count()).toBe(96)
    expect(await page.locator('#degraded-banner').textContent()).toMatch(/^Showing a saved catalogue/)
  })

  it('shows the page caches and each downstream\'s replicas on the dashboard', async () => {
    const storefront = await open()
    await expect.poll(() => cards(storefront).count()).toBe(48)
    await storefront.reload()
    await expect.poll(() => cards(storefront).count()).toBe(48)
    const dashboard = await openPage(suite.browser, suite.system, '/ops')
    const catalogue = dashboard.getByRole('row', { name: /^Catalogue/ })
    const cell = (column: number) => catalogue.locator('td').nth(column)
    await expect.poll(() => cell(0).textContent(), { timeout: 5000 }).toMatch(/^[1-9][\d,]*$/)
    expect(await cell(1).textContent()).toMatch(/^[1-9][\d,]*$/)
    expect(await cell(4).textContent()).toMatch(/^\d+\.\d s$/)
    expect(await dashboard.getByRole('row', { name: /^Stock/ }).locator('td').first().textContent()).toMatch(/^[\d,]+$/)
    await expect.poll(() => dashboard.locator('#admission-figures').textContent()).toMatch(/^\d+ of at most \d+ \(the limit adapts to latency\); 0 shed since start$/)
    // One replica of each service here: its address, taking calls.
    await expect.poll(() => dashboard.getByRole('list', { name: 'inventory replicas' }).locator('li').allTextContents()).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: healthy$/)])
  })
})
