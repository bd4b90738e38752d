import { parseArgs } from 'node:util'

import { Auditor, type PageAudit } from './page-audit.js'
import { type PageRuns, describeFailures, formatScoreTable } from './score-table.js'
import { type StorefrontSystem, startStorefrontSystem } from './storefront-system.js'
import { warmUp } from './warm-up.js'

const USAGE = `Usage: npm run lighthouse [-- --runs N]

Starts the system (node tools/launcher/dist/main.js --base-port 21000, data in a temporary folder),
runs Lighthouse N times (default 3) on the storefront (/) and the operations dashboard (/ops), prints
each run's performance, accessibility, best practices and SEO scores and their medians, stops the
system, and exits 1 if any median is below 100, naming the audits that cost the points.`

/** The services on 21000..21003, the BFF on 22000: ports apart from `npm start` and the tests. */
const BASE_PORT = 21_000

/** The pages the BFF serves. */
const PAGES = [
  { name: 'storefront', path: '/' },
  { name: 'ops', path: '/ops' },
] as const

function parseRuns(): number {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, help: { type: 'boolean', default: false } } })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1 || runs > 9) {
    throw new Error(`--runs must be a whole number from 1 to 9, not ${values.runs}\n\n${USAGE}`)
  }
  return runs
}

async function main(): Promise<number> {
  const runCount = parseRuns()
  if (runCount === 0) {
    return 0
  }
  const startedAt = Date.now()
  let system: StorefrontSystem | undefined
  let auditor: Auditor | undefined
  // Ctrl-C or a CI timeout: stop what was started, then let the run end with the signal's failure.
  const interrupted = (): void => {
    process.exitCode = 130
    auditor?.stop()
    void system?.stop()
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    system = await startStorefrontSystem(BASE_PORT)
    console.log(`System up at ${system.origin} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`)
    await warmUp(system.origin)
    auditor = await Auditor.start()
    const results: PageRuns[] = []
    for (const page of PAGES) {
      const runs: PageAudit[] = []
      for (let run = 1; run <= runCount; run++) {
        runs.push(await auditor.audit(`${system.origin}${page.path}`, (reason) => {
          console.log(`${page.name} run ${run}: not recorded (${reason}); running it again`)
        }))
        console.log(`${page.name} run ${run}: ${Object.entries(runs.at(-1)!.scores).map(([category, score]) => `${category} ${score}`).join(', ')}`)
      }
      results.push({ name: page.name, path: page.path, runs })
    }
    console.log(`\n${formatScoreTable(results)}\n`)
    const failures = describeFailures(results)
    console.log(failures.length === 0
      ? 'Both pages score 100 in every category (median of the runs).'
      : `Below 100:\n${failures.join('\n')}`)
    console.log(`Took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`)
    return failures.length === 0 ? 0 : 1
  } finally {
    auditor?.stop()
    await system?.stop()
  }
}

main().then((code) => {
  process.exitCode ??= code
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
