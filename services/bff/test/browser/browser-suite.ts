import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'

import { type RunningSystem, type SystemOptions, launchChromium, startSystem } from './system.js'

/** What a file of browser tests shares: one running system and one Chromium. */
export interface BrowserSuite {
  /** The system, once the suite's `beforeAll` has run. */
  readonly system: RunningSystem
  /** The browser, once the suite's `beforeAll` has run. */
  readonly browser: Browser
}

/**
 * The BFF with its caches off (`CATALOGUE_TTL_MS`, `STOCK_TTL_MS`, `STALE_IF_ERROR_MS` at 0):
 * every page asks the services, so a fault a test sets shows on the next page as it is, and is
 * never covered by a catalogue or stock read before it. For the tests of what the page does with
 * nothing saved; `paging.browser.test.ts` runs with the caches on and covers the saved answers.
 */
export const UNCACHED_BFF: SystemOptions = { env: { CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0', STALE_IF_ERROR_MS: '0' } }

/**
 * Registers, inside a `describe`, the hooks of a file of browser tests: a whole system on
 * `basePort` (started with `options`) and a Chromium, started side by side before the first test
 * (each takes seconds) and stopped after the last, and every fault cleared after each test so that
 * one test's faults never reach the next.
 */
export function useBrowserSuite(basePort: number, options: SystemOptions = {}): BrowserSuite {
  let system: RunningSystem | undefined
  let browser: Browser | undefined

  beforeAll(async () => {
    ;[system, browser] = await Promise.all([startSystem(basePort, options), launchChromium()])
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await system?.stop()
  }, 30_000)

  afterEach(async () => {
    await system?.clearFaults()
  })

  return {
    get system() {
      return started(system)
    },
    get browser() {
      return started(browser)
    },
  }
}

/** Signs in on the storefront page as the demo user `userId`, and waits until the page says so. */
export async function signIn(page: Page, userId: number): Promise<void> {
  await page.getByLabel('Demo user').selectOption(String(userId))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe(`Signed in as user ${userId}`)
}

function started<T>(value: T | undefined): T {
  if (value === undefined) {
    throw new Error('the browser suite has not started: use it inside a test')
  }
  return value
}
