/**
 * Throughput of the services' read routes on real PostgreSQL, against a bare Fastify hello-world
 * answering the same bytes, in one run on one machine: `npm run bench:services`.
 *
 * Each service that is built runs as its own process on a fresh database of the local PostgreSQL
 * server (dropped afterwards; without one, and without `--pg-url`, an embedded server of the run's
 * own), on ports 18000-18003. Each read route's answer is captured from the
 * service first and served by the hello-world twin on the same path. Then, route by route, the
 * twin and then the service get a warm-up and a measured run of autocannon (32 keep-alive
 * connections, pipelining 1, with the service token). Only 127.0.0.1 is ever loaded.
 *
 * The target: each route at least 50% of the twin's throughput, and a p99
 * no more than 2x the twin's. `--update-readme` writes the tables into services/README.md.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { LOOPBACK } from '../lib/loopback.js'
import { describeLoad, describePlatform, loadAverage } from '../lib/machine.js'
import { publishFigures } from '../lib/readme-block.js'
import { benchServer } from './bench-server.js'
import { measureServices } from './measure-services.js'
import { buildReport } from './report.js'
import { BENCH_SERVICES } from './service-routes.js'

const CONNECTIONS = 32
const root = new URL('../../../', import.meta.url)
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

try {
  process.exitCode = await main()
} catch (error) {
  // Bad options, a busy port, an unreachable server: one line, not a stack.
  log(`bench:services: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      only: { type: 'string' },
      'pg-url': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'update-readme': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const durationS = wholeSeconds('--duration', args.duration, 1)
  const warmupS = wholeSeconds('--warmup', args.warmup, 0)
  const explicitUrl = args['pg-url'] ?? process.env.BENCH_PG_URL
  const pgHost = explicitUrl === undefined || explicitUrl === '' ? LOOPBACK : new URL(explicitUrl).hostname
  if (pgHost !== LOOPBACK && pgHost !== 'localhost') {
    // The services' queries are load too: the benchmark never sends any off this machine.
    throw new Error(`--pg-url must point at ${LOOPBACK} (got host ${pgHost})`)
  }
  const wanted = args.only?.split(',').map((name) => name.trim())
  const unknown = wanted?.filter((name) => !BENCH_SERVICES.some((service) => service.name === name)) ?? []
  if (unknown.length > 0) {
    throw new Error(`--only: unknown service ${unknown.join(', ')} (known: ${BENCH_SERVICES.map((service) => service.name).join(', ')})`)
  }
  const profileDir = args['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'storefront-bench-profiles-')) : undefined

  // Other work on the machine moves both sides of a row, not always evenly: say how busy it was.
  const loadAtStart = loadAverage()
  const server = await benchServer(explicitUrl, log)
  let measured: Awaited<ReturnType<typeof measureServices>>
  try {
    measured = await measureServices({
      services: BENCH_SERVICES.filter((service) => wanted?.includes(service.name) ?? true),
      root,
      adminUrl: server.adminUrl,
      connections: CONNECTIONS,
      durationS,
      warmupS,
      nodeArgs: (name) => (profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]),
      log,
    })
  } finally {
    await server.release()
  }
  const { rows, notes, pgVersion } = measured
  const report = buildReport(rows, notes)

  const machine = `${describePlatform()}, PostgreSQL ${pgVersion} (${server.description}); ${describeLoad(loadAtStart)}`
  const setup = `autocannon on ${LOOPBACK}: ${CONNECTIONS} keep-alive connections, pipelining 1, ${warmupS} s warm-up + ${durationS} s per side; services at their defaults, LOG_LEVEL=warn`
  console.log(`\n${machine}\n${setup}\n\n${report.table}\n\n${report.summary.join('\n')}`)
  console.log(`\nCPU time per response (user + system, from /proc; '-' where unavailable):\n\n${report.cpuTable}`)
  if (profileDir !== undefined) {
    console.log(`\nCPU profiles of the services and the hello-world: ${profileDir}`)
  }
  return publishFigures({
    valid: !report.invalid,
    updateReadme: args['update-readme'],
    root,
    readme: 'services/README.md',
    command: 'npm run bench:services -- --update-readme',
    machine,
    setup,
    lines: [
      report.table,
      '',
      ...report.summary.map((line) => `- ${line}`),
      '',
      'CPU time per response (user + system):',
      '',
      report.cpuTable,
    ],
  })
}

function wholeSeconds(flag: string, raw: string, min: number): number {
  const value = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= 3600)) {
    throw new Error(`${flag} must be whole seconds from ${min} to 3600 (got ${JSON.stringify(raw)})`)
  }
  return value
}
