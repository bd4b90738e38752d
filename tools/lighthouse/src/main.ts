import { parseArgs } from 'node:util'

import { Auditor, type PageAudit } from './page-audit.js'
import { type Floors, type PageRuns, describeShortfalls, formatScoreTable } from './score-table.js'
import { type StorefrontSystem, startStorefrontSystem } from './storefront-system.js'
import { warmUp } from './warm-up.js'

const USAGE = `Usage: npm run lighthouse [-- --runs N] [--min-performance N]

Starts the system (node tools/launcher/dist/main.js --base-port 21000, data in a temporary folder),
runs Lighthouse N times (default 3) on the storefront (/) and the operations dashboard (/ops), prints
each run's performance, accessibility, best practices and SEO scores and their medians, stops the
system, and exits 1 if any median is below 100, naming the audits that cost the points.
--min-performance N lets the performance median pass from N up (still named when below 100): the
score depends on the machine's speed during the run, which a shared CI machine does not hold.`

/** The services on 21000..21003, the BFF on 22000: ports apart from `npm start` and the tests. */
const BASE_PORT = 21_000

/** The pages the BFF serves. */
const PAGES = [
  { name: 'storefront', path: '/' },
  { name: 'ops', path: '/ops' },
] as const

interface Options {
  readonly runs: number
  readonly floors: Floors
}

function parseOptions(): Options | undefined {
  const { values } = parseArgs({ options: { 'runs': { type: 'string', default: '3' }, 'min-performance': { type: 'string', default: '100' }, 'help': { type: 'boolean', default: false } } })
  if (values.help) {
    console.log(USAGE)
    return undefined
  }
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1 || runs > 9) {
    throw new Error(`--runs must be a whole number from 1 to 9, not ${values.runs}\n\n${USAGE}`)
  }
  const performance = Number(values['min-performance'])
  if (!Number.isInteger(performance) || performance < 0 || performance > 100) {
    throw new Error(`--min-performance must be a whole number from 0 to 100, not ${values['min-performance']}\n\n${USAGE}`)
  }
  return { runs, floors: { performance } }
}

async function main(): Promise<number> {
  const options = parseOptions()
  if (options === undefined) {
    return 0
  }
  const runCount = options.runs
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
    const { failures, shortfalls } = describeShortfalls(results, options.floors)
    if (failures.length === 0 && shortfalls.length === 0) {
      console.log('Both pages score 100 in every category (median of the runs).')
    }
    if (shortfalls.length > 0) {
      console.log(`Below 100, above the floor given:\n${shortfalls.join('\n')}`)
    }
    if (failures.length > 0) {
      console.log(`Below 100:\n${failures.join('\n')}`)
    }
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
