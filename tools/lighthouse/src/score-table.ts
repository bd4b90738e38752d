import { CATEGORIES, type Category, type LostAudit, type PageAudit } from './page-audit.js'

/** Every run of one page. */
export interface PageRuns {
  /** The page's name in the table, e.g. `storefront`. */
  readonly name: string
  readonly path: string
  readonly runs: readonly PageAudit[]
}

/** The score every category must reach. */
const TARGET = 100

/** The score each category's median must reach: 100, unless a lower floor is given for one. */
export type Floors = Readonly<Partial<Record<Category, number>>>

/**
 * The score a category is judged by: the median of its runs (the lower middle one of an even
 * count), so that one run slowed by a busy machine neither fails the check nor passes it.
 */
function medianScore(runs: readonly PageAudit[], category: Category): number {
  const sorted = runs.map((run) => run.scores[category]).sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0
}

/** A table of every run's scores and their median, one row per page and category. */
export function formatScoreTable(pages: readonly PageRuns[]): string {
  const runCount = Math.max(0, ...pages.map((page) => page.runs.length))
  const header = ['page', 'category', ...Array.from({ length: runCount }, (_, index) => `run ${index + 1}`), 'median']
  const rows = pages.flatMap((page) => CATEGORIES.map((category) => [
    page.name,
    category,
    ...Array.from({ length: runCount }, (_, index) => String(page.runs[index]?.scores[category] ?? '')),
    String(medianScore(page.runs, category)),
  ]))
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)))
  // Names to the left, figures to the right.
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

/**
 * One line per page and category whose median is below 100, naming the audits that cost it points
 * in the runs below 100 (each once, with what it measured in each of those runs): `failures` where
 * the median is also below the category's floor, `shortfalls` where a floor allows it. Both empty
 * when every category of every page is at 100.
 */
export function describeShortfalls(pages: readonly PageRuns[], floors: Floors = {}): { failures: string[]; shortfalls: string[] } {
  const failures: string[] = []
  const shortfalls: string[] = []
  for (const page of pages) {
    for (const category of CATEGORIES) {
      const median = medianScore(page.runs, category)
      if (median >= TARGET) {
        continue
      }
      const audits = new Map<string, { title: string; values: string[] }>()
      for (const run of page.runs.filter((candidate) => candidate.scores[category] < TARGET)) {
        for (const audit of run.lost[category]) {
          const seen = audits.get(audit.id) ?? { title: audit.title, values: [] }
          seen.values.push(valueOf(audit))
          audits.set(audit.id, seen)
        }
      }
      const named = [...audits].map(([id, { title, values }]) => `  - ${id} (${title}): ${values.join(', ')}`)
      const floor = floors[category] ?? TARGET
      const lines = [`${page.name} (${page.path}) ${category}: ${median} < ${TARGET}${floor < TARGET ? ` (floor ${floor})` : ''}`, ...named]
      ;(median < floor ? failures : shortfalls).push(...lines)
    }
  }
  return { failures, shortfalls }
}

function valueOf(audit: LostAudit): string {
  return audit.displayValue === undefined || audit.displayValue === '' ? 'failed' : audit.displayValue
}
