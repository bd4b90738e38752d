import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { STOREFRONT_SERVICES } from '@storefront/service-kit/embedded'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const built = [...STOREFRONT_SERVICES, 'bff'].every((name) => existsSync(join(repoRoot, 'services', name, 'dist', 'server.js')))

const BASE = 18_700
const BFF = `http://127.0.0.1:${BASE + 1000}`
const SERVER = 2
const CLIENT = 3

/** A trace id and a parent span of the test's own, sampled: the page's trace is then known in advance. */
function traceparent(): { traceId: string; header: string } {
  const hex = (bytes: number): string => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join('')
  const traceId = hex(16)
  return { traceId, header: `00-${traceId}-${hex(8)}-01` }
}

/** The page's own span, which ends after its answer is sent and so may reach the receiver last. */
function pageSpan(spans: readonly ReceivedSpan[]): ReceivedSpan | undefined {
  return spans.find((span) => span.service === 'bff' && span.kind === SERVER)
}

function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans.filter((span) => span.parentSpanId === parent.spanId)
}

describe.skipIf(!built)('tracing across the running system, exported over OTLP', () => {
  let receiver: OtlpReceiver
  let launcher: ChildProcess
  let output = ''
  let dataDir: string
  let cookie: string

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    dataDir = mkdtempSync(join(tmpdir(), 'sf-tracing-'))
    launcher = spawn(process.execPath, ['--import', 'tsx', main, '--base-port', String(BASE), '--data-dir', dataDir], {
      cwd: repoRoot,
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        FORCE_COLOR: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // Every page asks products and inventory: nothing kept between pages.
        CATALOGUE_TTL_MS: '0',
        STOCK_TTL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    launcher.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    launcher.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    for (const until = Date.now() + 60_000; !output.includes('Storefront is up');) {
      if (launcher.exitCode !== null || Date.now() > until) {
        throw new Error(`the system did not start:\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const login = await fetch(`${BFF}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 1 }) })
    expect(login.status).toBe(200)
    cookie = /^session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0]
  }, 90_000)

  afterAll(async () => {
    launcher.kill('SIGINT')
    await new Promise((resolve) => { launcher.once('exit', resolve); setTimeout(resolve, 15_000) })
    if (launcher.exitCode === null) {
      launcher.kill('SIGKILL')
    }
    await receiver.close()
    rmSync(dataDir, { recursive: true, force: true })
  }, 30_000)

  it('shows one signed-in page as one tree: the BFF\'s server span, its four downstream calls, each service\'s server span and its queries', async () => {
    const { traceId, header } = traceparent()
    const page = await fetch(`${BFF}/products/all?limit=5`, { headers: { cookie, traceparent: header } })
    expect(page.status).toBe(200)
    const requestId = page.headers.get('x-request-id')
    // Four downstream calls, each answered by a server span with a query under it: 1 + 4 + 4 + 4.
    const spans = await receiver.waitForTrace(traceId, (found) => pageSpan(found) !== undefined && found.filter((span) => span.name.startsWith('SELECT')).length >= 4 && found.length >= 13)

    const root = pageSpan(spans)!
    expect(root.name).toBe('GET /products/all')
    expect(root.parentSpanId).toBe(header.split('-')[2])
    expect(root.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.route': '/products/all', 'storefront.request_id': requestId })

    const calls = childrenOf(spans, root)
    expect(calls.map((span) => span.attributes['storefront.downstream']).sort()).toEqual(['cart', 'favorites', 'inventory', 'products'])
    for (const call of calls) {
      expect(call).toMatchObject({ service: 'bff', kind: CLIENT })
      expect(call.attributes).toMatchObject({ 'storefront.attempt': 1, 'storefront.won': true, 'http.response.status_code': 200 })
      const downstream = String(call.attributes['storefront.downstream'])
      const [served] = childrenOf(spans, call)
      expect(served).toMatchObject({ service: downstream, kind: SERVER })
      expect(served!.attributes['storefront.request_id']).toBe(requestId)
      const queries = childrenOf(spans, served!)
      expect(queries.length).toBeGreaterThanOrEqual(1)
      for (const query of queries) {
        expect(query).toMatchObject({ service: downstream, kind: CLIENT, name: 'SELECT' })
        expect(query.attributes['db.system.name']).toBe('postgresql')
        // The statement as written, placeholders and all: no value of the page reaches a span.
        expect(query.attributes['db.query.text']).toMatch(/\$1/)
      }
      // The downstream's database time, as its server-timing header reported it to the BFF.
      expect(call.attributes['storefront.db_ms']).toBeGreaterThan(0)
      // No check of times across processes: each times its spans by its own clock, and a server
      // span ends when its answer is flushed, which may be after the caller has read it.
    }
    // Every process wrote the trace id in the page's log lines.
    for (const service of ['bff', ...STOREFRONT_SERVICES]) {
      expect(output).toMatch(new RegExp(`^${service} +\\|.*"trace_id":"${traceId}"`, 'm'))
    }
  })

  it('shows a retried inventory call as one span per attempt, each answered by its own server span', async () => {
    const faults = await fetch(`${BFF}/ops/faults/inventory`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay_ms: null, error_rate: 1 }) })
    expect(faults.status).toBe(200)
    try {
      const { traceId, header } = traceparent()
      const page = await fetch(`${BFF}/products/all?limit=5`, { headers: { cookie, traceparent: header } })
      expect(page.status).toBe(200)
      expect(page.headers.get('x-degraded')).toMatch(/inventory/)
      const spans = await receiver.waitForTrace(traceId, (found) => {
        const served = found.filter((span) => span.service === 'inventory' && span.kind === SERVER).length
        const asked = found.filter((span) => span.attributes['storefront.downstream'] === 'inventory').length
        // The BFF's attempts have all ended once its page span has; each must also have been answered.
        return pageSpan(found) !== undefined && asked >= 2 && served >= asked
      })
      const root = pageSpan(spans)!
      const attempts = childrenOf(spans, root).filter((span) => span.attributes['storefront.downstream'] === 'inventory').sort((a, b) => Number(a.startNs - b.startNs))
      expect(attempts.length).toBeGreaterThanOrEqual(2)
      expect(attempts.map((span) => span.attributes['storefront.attempt'])).toEqual(attempts.map((_, index) => index + 1))
      for (const attempt of attempts) {
        expect(attempt.attributes).toMatchObject({ 'http.response.status_code': 500, 'storefront.won': false })
        expect(attempt.status).toBe(2)
        expect(childrenOf(spans, attempt)).toEqual([expect.objectContaining({ service: 'inventory', kind: SERVER, attributes: expect.objectContaining({ 'http.response.status_code': 500 }) })])
      }
      // The retry policy told the page's span why and when it retried.
      expect(root.events.filter((event) => event.name === 'retry').length).toBe(attempts.length - 1)
      expect(root.attributes['storefront.degraded']).toEqual(['inventory'])
    } finally {
      await fetch(`${BFF}/ops/faults/inventory`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay_ms: null, error_rate: 0 }) })
    }
  })
})
