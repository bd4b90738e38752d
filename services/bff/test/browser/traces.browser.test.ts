import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'

import { axeViolations } from './axe.js'
import { UNCACHED_BFF, useBrowserSuite } from './browser-suite.js'
import { type OpenPageOptions, openPage } from './open-page.js'
import { browserTestsUnavailable } from './system.js'

const unavailable = browserTestsUnavailable()

/** Ports of their own, apart from the other browser test files (23 000 to 23 200) and a running `npm start`. */
const BASE_PORT = 23_300

/** A degraded page as `GET /ops/traces` lists it: a hedged inventory call, a database time, a refusal by the breaker. */
const DEGRADED_PAGE = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  request_id: 'req-42',
  name: 'GET /products/all',
  started_at: '2026-12-07T12:00:00.000Z',
  duration_ms: 412,
  status: 200,
  kept_because: 'degraded',
  degraded: ['cart'],
  dropped_spans: 0,
  spans: [
    { span_id: 'a000000000000001', parent_span_id: null, name: 'GET /products/all', kind: 'server', start_ms: 0, duration_ms: 412, status: 'ok', error: null, attributes: { 'storefront.degraded': ['cart'] }, events: [] },
    { span_id: 'a000000000000002', parent_span_id: 'a000000000000001', name: 'cart GET /users/1/cart', kind: 'client', start_ms: 1, duration_ms: 0.2, status: 'error', error: 'circuit open', attributes: { 'storefront.attempt': 1 }, events: [{ name: 'rejection', at_ms: 1.1, attributes: { 'storefront.policy': 'breaker' } }] },
    { span_id: 'a000000000000003', parent_span_id: 'a000000000000001', name: 'products GET /products', kind: 'client', start_ms: 1, duration_ms: 12, status: 'ok', error: null, attributes: { 'storefront.attempt': 1, 'storefront.db_ms': 3.1 }, events: [] },
    { span_id: 'a000000000000004', parent_span_id: 'a000000000000001', name: 'inventory chunk', kind: 'internal', start_ms: 14, duration_ms: 396, status: 'ok', error: null, attributes: {}, events: [] },
    { span_id: 'a000000000000005', parent_span_id: 'a000000000000004', name: 'inventory GET /inventory', kind: 'client', start_ms: 14, duration_ms: 396, status: 'error', error: 'aborted', attributes: { 'storefront.attempt': 1, 'storefront.won': false }, events: [{ name: 'hedge', at_ms: 63, attributes: {} }] },
    { span_id: 'a000000000000006', parent_span_id: 'a000000000000004', name: 'inventory GET /inventory', kind: 'client', start_ms: 63, duration_ms: 347, status: 'ok', error: null, attributes: { 'storefront.attempt': 2, 'storefront.won': true, 'storefront.db_ms': 2.5 }, events: [] },
  ],
}

/** Answers the dashboard's `GET /ops/traces` with {@link DEGRADED_PAGE}, whatever the BFF recorded. */
async function listDegradedPage(page: Page): Promise<void> {
  await page.route(/\/ops\/traces$/, (route) => route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ window_s: 300, dropped_traces: 0, dropped_spans: 0, traces: [DEGRADED_PAGE] }),
  }))
}

/** What the waterfall shows, row by row: the span's name and kind, its indent in px, the text of the row, and its bar's width. */
function waterfall(page: Page): Promise<{ name: string; kind: string; indent: number; text: string; width: string; failed: boolean }[]> {
  // A string, not a function: it runs in the page, and this program has no DOM types.
  return page.evaluate(`[...document.querySelectorAll('#waterfall .span-row')].map((row) => ({
    name: row.dataset.spanName,
    kind: row.dataset.kind,
    indent: parseFloat(getComputedStyle(row.querySelector('.span-label')).paddingLeft),
    text: row.textContent.replace(/\\s+/g, ' ').trim(),
    width: row.querySelector('.span-bar').style.width,
    failed: row.classList.contains('span-row-failed'),
  }))`)
}

describe.skipIf(unavailable !== undefined)('slow and degraded pages on the dashboard', () => {
  const suite = useBrowserSuite(BASE_PORT, UNCACHED_BFF)

  const open = (path: string, options: OpenPageOptions = {}): Promise<Page> => openPage(suite.browser, suite.system, path, options)

  it('lists a degraded page and, chosen from the keyboard, draws it as a waterfall with its events, attempts and failures in words', async () => {
    const page = await open('/ops', { bypassCSP: true, before: listDegradedPage })
    const row = page.locator('#slow-page-rows tr')
    await expect.poll(() => row.count()).toBe(1)
    const cells = await row.locator('td, th').allTextContents()
    expect(cells[1]).toMatch(/^GET \/products\/all at /)
    expect(cells.slice(2)).toEqual(['412.0 ms', 'degraded', 'cart'])
    const button = page.getByRole('button', { name: /^GET \/products\/all at .*412\.0 ms \(trace 4bf92f35\)$/ })
    await button.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#waterfall').isVisible()).toBe(true)
    expect(await button.getAttribute('aria-expanded')).toBe('true')
    expect(await page.locator('#waterfall h3').textContent()).toMatch(/^GET \/products\/all at /)

    const rows = await waterfall(page)
    expect(rows.map((drawn) => drawn.name)).toEqual(['GET /products/all', 'cart GET /users/1/cart', 'products GET /products', 'inventory chunk', 'inventory GET /inventory', 'inventory GET /inventory'])
    // Indented by depth: the page, its calls, then the attempts of the inventory chunk.
    const [root, cart, products, chunk, first, second] = rows
    expect(root!.indent).toBe(0)
    expect(cart!.indent).toBeGreaterThan(0)
    expect(chunk!.indent).toBe(cart!.indent)
    expect(first!.indent).toBeGreaterThan(chunk!.indent)
    expect(root!.width).toBe('100%')
    expect(parseFloat(second!.width)).toBeCloseTo((347 / 412) * 100, 3)
    // A failure is marked in colour and in words; events and attributes are spelled out.
    expect(cart).toMatchObject({ failed: true, text: expect.stringContaining('failed: circuit open') })
    expect(cart!.text).toContain('rejected by the breaker at 1.1 ms')
    expect(products!.text).toContain('db 3.1 ms')
    expect(first).toMatchObject({ failed: true, text: expect.stringContaining('lost') })
    expect(first!.text).toContain('hedge sent at 63.0 ms')
    expect(second!.text).toMatch(/347\.0 ms.*attempt 2.*won.*db 2\.5 ms/)

    expect(await axeViolations(page)).toEqual([])
    // Polls keep the row, and the focus on its button.
    const before = await page.locator('#updated').textContent()
    await expect.poll(() => page.locator('#updated').textContent(), { timeout: 5000 }).not.toBe(before)
    expect(await page.evaluate<string | null>('document.activeElement.closest("tr")?.dataset.traceId ?? null')).toBe(DEGRADED_PAGE.trace_id)
  })

  it('fits the drawn waterfall in a 375 px wide window without sideways scrolling', async () => {
    const page = await open('/ops', { width: 375, before: listDegradedPage })
    await page.getByRole('button', { name: /^GET \/products\/all at / }).click()
    await expect.poll(() => page.locator('#waterfall .span-row').count()).toBe(6)
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBe(0)
  })

  it('draws a page slowed by inventory with the inventory call as its long bar', async () => {
    await suite.system.setFaults('inventory', { delay_ms: '300', error_rate: 0 })
    for (let load = 0; load < 3; load++) {
      const response = await fetch(`${suite.system.url}/products/all`)
      expect(response.status).toBe(200)
    }
    const page = await open('/ops')
    const rows = page.locator('#slow-page-rows tr')
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0)
    // The slowest page listed: the durations are the third cell of each row.
    const durations = (await rows.locator('td.number').allTextContents()).map((text) => parseFloat(text))
    const slowest = durations.indexOf(Math.max(...durations))
    await rows.nth(slowest).getByRole('button').click()
    await expect.poll(() => page.locator('#waterfall .span-row').count()).toBeGreaterThan(1)

    const drawn = await waterfall(page)
    expect(drawn[0]!.name).toBe('GET /products/all')
    const inventory = drawn.filter((row) => row.name.startsWith('inventory'))
    expect(inventory.length).toBeGreaterThan(0)
    const longest = inventory.reduce((best, row) => (parseFloat(row.width) > parseFloat(best.width) ? row : best))
    expect(parseFloat(/([\d.]+) ms/.exec(longest.text)![1]!)).toBeGreaterThanOrEqual(250)
    // No other downstream call of the page took as long.
    for (const other of drawn.filter((row) => row.kind === 'client' && !row.name.startsWith('inventory'))) {
      expect({ name: other.name, longer: parseFloat(other.width) >= parseFloat(longest.width) }).toEqual({ name: other.name, longer: false })
    }
  })
})
