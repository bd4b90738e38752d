import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'

import { type RunningSystem, launchChromium, startSystem } from './system.js'

/** What a file of browser tests shares: one running system and one Chromium. */
export interface BrowserSuite {
  /** The system, once the suite's `beforeAll` has run. */
  readonly system: RunningSystem
  /** The browser, once the suite's `beforeAll` has run. */
  readonly browser: Browser
}

/**
 * Registers, inside a `describe`, the hooks of a file of browser tests: a whole system on
 * `basePort` and a Chromium, started side by side before the first test (each takes seconds) and
 * stopped after the last, and every fault cleared after each test so that one test's faults never
 * reach the next.
 */
export function useBrowserSuite(basePort: number): BrowserSuite {
  let system: RunningSystem | undefined
  let browser: Browser | undefined

  beforeAll(async () => {
    ;[system, browser] = await Promise.all([startSystem(basePort), launchChromium()])
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
