import axe from 'axe-core'
import type { AxeResults, Result } from 'axe-core'
import type { Page } from 'playwright-core'

/**
 * Runs axe-core in `page` with its default rules (WCAG 2.x A and AA, and best practices) and
 * returns each violation as one readable line per element: rule id, impact, what it checks, the
 * element's selector and axe's summary of what to fix. An empty list is a page without violations.
 *
 * The page's content security policy forbids inline scripts: open it with `bypassCSP`.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (await page.evaluate<boolean>('typeof window.axe === "undefined"')) {
    await page.addScriptTag({ content: axe.source })
  }
  // A string, not a function: it runs in the page, and this program has no DOM types.
  const results = await page.evaluate<AxeResults>('window.axe.run(document, { resultTypes: ["violations"] })')
  return results.violations.flatMap(describe)
}

function describe(violation: Result): string[] {
  return violation.nodes.map((node) => {
    const summary = (node.failureSummary ?? '').replace(/\s+/g, ' ').trim()
    return `${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help} at ${node.target.join(' ')}: ${summary}`
  })
}
