import { type LaunchedChrome, launch } from 'chrome-launcher'
import lighthouse, { type Result } from 'lighthouse'

/** Debian's Chromium, as the browser tests use it; `STOREFRONT_CHROMIUM` points elsewhere. */
const CHROMIUM = process.env.STOREFRONT_CHROMIUM ?? '/usr/bin/chromium'

/** The flags a container without a display or sandbox needs. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu']

/** How many times a run Lighthouse could not record is tried, in all. */
const RECORDING_ATTEMPTS = 3

/** The four categories judged, by Lighthouse's ids. */
export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const

/** One of {@link CATEGORIES}. */
export type Category = (typeof CATEGORIES)[number]

/** An audit that cost a category points: its id, title and what it measured ("1.2 s", "3 elements"). */
export interface LostAudit {
  readonly id: string
  readonly title: string
  readonly displayValue: string | undefined
}

/** One Lighthouse run of one page: each category's score out of 100, and the audits that cost points. */
export interface PageAudit {
  readonly scores: Readonly<Record<Category, number>>
  readonly lost: Readonly<Record<Category, readonly LostAudit[]>>
}

/** A Chromium that Lighthouse drives over its debugging port, one page run after another. */
export class Auditor {
  readonly #chrome: LaunchedChrome

  private constructor(chrome: LaunchedChrome) {
    this.#chrome = chrome
  }

  /** Starts headless Chromium with a profile of its own. */
  static async start(): Promise<Auditor> {
    return new Auditor(await launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_FLAGS }))
  }

  /**
   * Runs Lighthouse's navigation on `url` with its default configuration: a mobile device, and
   * simulated throttling (a slow 4G network and a CPU four times slower, applied to what was
   * measured). Lighthouse clears the origin's cache and storage first, so each run is a first visit.
   *
   * A run Lighthouse could not record (its runtime error, such as `NO_NAVSTART` when Chromium's
   * trace came out incomplete on a busy machine) scored nothing, and Lighthouse's own advice is to
   * run again: it is, up to {@link RECORDING_ATTEMPTS} times in all, each failure reported through
   * `onRetry`. A page that fails every time fails the check.
   */
  async audit(url: string, onRetry: (reason: string) => void = () => undefined): Promise<PageAudit> {
    let lhr: Result | undefined
    for (let attempt = 1; lhr === undefined; attempt++) {
      const result = await lighthouse(url, { port: this.#chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] })
      if (result === undefined) {
        throw new Error(`Lighthouse returned no result for ${url}`)
      }
      const error = result.lhr.runtimeError
      if (error === undefined) {
        lhr = result.lhr
      } else if (attempt < RECORDING_ATTEMPTS) {
        onRetry(`${error.code}: ${error.message}`)
      } else {
        throw new Error(`Lighthouse could not audit ${url} in ${RECORDING_ATTEMPTS} attempts: ${error.code} ${error.message}`)
      }
    }
    const scores = {} as Record<Category, number>
    const lost = {} as Record<Category, LostAudit[]>
    for (const category of CATEGORIES) {
      scores[category] = scoreOutOf100(lhr, category)
      lost[category] = lostAudits(lhr, category)
    }
    return { scores, lost }
  }

  /** Kills Chromium and removes its profile (chrome-launcher does both before it returns). */
  stop(): void {
    this.#chrome.kill()
  }
}

/** A category's score as the report shows it: out of 100, rounded. A category that could not be scored counts 0. */
function scoreOutOf100(lhr: Result, category: Category): number {
  return Math.round((lhr.categories[category]?.score ?? 0) * 100)
}

/** The audits of `category` that count towards its score and did not score full marks. */
function lostAudits(lhr: Result, category: Category): LostAudit[] {
  const lost: LostAudit[] = []
  for (const ref of lhr.categories[category]?.auditRefs ?? []) {
    const audit = lhr.audits[ref.id]
    if (ref.weight > 0 && audit !== undefined && audit.score !== null && audit.score < 1) {
      lost.push({ id: audit.id, title: audit.title, displayValue: audit.displayValue })
    }
  }
  return lost
}
