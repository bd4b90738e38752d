/**
 * Takes the README's screenshots of both pages at a phone's and a laptop's width, against a
 * running system: `npm run screenshots` (after `npm run build`). Writes docs/screenshots/*.png.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { browserTestsUnavailable, launchChromium, startSystem } from './system.js'

const OUT_DIR = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url))

const unavailable = browserTestsUnavailable()
if (unavailable !== undefined) {
  throw new Error(`Cannot take screenshots: ${unavailable}`)
}
mkdirSync(OUT_DIR, { recursive: true })
const system = await startSystem(24_000)
const browser = await launchChromium()
try {
  for (const width of [1280, 375]) {
    const context = await browser.newContext({ viewport: { width, height: width === 375 ? 812 : 800 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await page.goto(`${system.url}/`)
    await page.waitForSelector('.product')
    await page.getByLabel('Demo user').selectOption('1')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForSelector('#signed-in:not([hidden])')
    await page.waitForTimeout(300)
    await page.screenshot({ path: `${OUT_DIR}storefront-${width}.png` })
    // The dashboard during a slow inventory, with traffic, so the figures and a sparkline move.
    await system.setFaults('inventory', { delay_ms: '0-2000', error_rate: 0 })
    await page.goto(`${system.url}/ops`)
    await page.getByLabel('Send 5 page requests a second').check()
    await page.waitForTimeout(8000)
    await page.screenshot({ path: `${OUT_DIR}ops-${width}.png`, fullPage: width === 1280 })
    await system.clearFaults()
    await context.close()
  }
  console.log(`Screenshots written to ${OUT_DIR}`)
} finally {
  await browser.close()
  await system.stop()
}
