import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import type { Browser, Page } from 'playwright-core'
import { onTestFailed } from 'vitest'

import type { RunningSystem } from './system.js'

/** Where a failing test leaves its screenshot. */
const FAILURES_DIR = fileURLToPath(new URL('../../../../test-results/browser/', import.meta.url))

/** Options of {@link openPage}. */
export interface OpenPageOptions {
  /** The window's width in CSS pixels. Defaults to 1280. */
  readonly width?: number
  /**
   * Lets the test add scripts of its own (axe) despite the page's content security policy, which
   * allows none inline. Only for the tests that inject one: the others see the policy as shipped.
   */
  readonly bypassCSP?: boolean
  /** Called with the page before it loads, to watch its console or stub a route. */
  readonly before?: (page: Page) => Promise<void> | void
}

/**
 * Opens `path` in a fresh context (own cookies). Called inside a test: if the test fails, it saves
 * a screenshot and reports the page's errors and the end of the system's output.
 */
export async function openPage(browser: Browser, system: RunningSystem, path: string, options: OpenPageOptions = {}): Promise<Page> {
  const width = options.width ?? 1280
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: options.bypassCSP ?? false })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  onTestFailed(async ({ task }) => {
    mkdirSync(FAILURES_DIR, { recursive: true })
    const file = `${FAILURES_DIR}${task.name.replace(/[^\w-]+/g, '-').slice(0, 80)}-${width}.png`
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    console.error(`Screenshot: ${file}\nPage errors: ${errors.join('\n') || 'none'}\nSystem output (end):\n${system.output().slice(-3000)}`)
  })
  await options.before?.(page)
  await page.goto(`${system.url}${path}`)
  return page
}
