import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { LOOPBACK } from '../lib/loopback.js'

/** What a {@link FailingDownstream} saw of the calls of one phase. */
export interface PhaseCounts {
  /** Calls that reached it. */
  reached: number
  /** Calls it answered 200. */
  accepted: number
}

const OK = JSON.stringify({ ok: true })
const FAILED = JSON.stringify({ error: 'failing on purpose' })

/**
 * A fake downstream on 127.0.0.1 (a bare `node:http` server in the benchmark's process) that
 * answers a set share of the calls reaching it with 500 and the rest with 200 `{"ok":true}`. The
 * choice is deterministic and even: at `failingPercent` p, call n (counted from 0 across its whole
 * life) fails when `floor((n + 1)·p / 100) > floor(n·p / 100)`, so at 10 every tenth call fails,
 * at 50 every other one, at 90 nine in ten, at 100 all.
 *
 * Calls are counted by the phase their client put in the query (`?phase=90&call=17`), not by
 * when they arrive, so a call sent at the end of a phase is counted in it; the `call` ids of the
 * phases named in `idsOf` are kept, to tell exactly which offered calls reached it.
 */
export class FailingDownstream {
  /** The share of calls answered 500, in percent, from now on: a whole number in 0..100. */
  failingPercent = 0

  private readonly server: Server
  private readonly counts = new Map<string, PhaseCounts>()
  private readonly ids = new Map<string, Set<string>>()
  private calls = 0

  private constructor(server: Server) {
    this.server = server
  }

  /** Starts one on a port the system picks; `keepIdsOf` names the phases whose call ids are kept. */
  static async start(keepIdsOf: readonly string[] = []): Promise<FailingDownstream> {
    const server = createServer()
    const downstream = new FailingDownstream(server)
    for (const phase of keepIdsOf) {
      downstream.ids.set(phase, new Set())
    }
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      downstream.answer(request, response)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, LOOPBACK, () => {
        server.off('error', reject)
        resolve()
      })
    })
    return downstream
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return `http://${LOOPBACK}:${(this.server.address() as AddressInfo).port}`
  }

  /** The calls of `phase` that reached it, and those it accepted. */
  countsOf(phase: string): PhaseCounts {
    return { ...this.counts.get(phase) ?? { reached: 0, accepted: 0 } }
  }

  /** Whether the call with this id, of a phase whose ids are kept, reached it. */
  saw(phase: string, id: string): boolean {
    return this.ids.get(phase)?.has(id) ?? false
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve()
      })
      this.server.closeAllConnections()
    })
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const query = new URL(request.url ?? '/', 'http://downstream').searchParams
    const phase = query.get('phase') ?? ''
    const counts = this.counts.get(phase) ?? { reached: 0, accepted: 0 }
    this.counts.set(phase, counts)
    counts.reached++
    this.ids.get(phase)?.add(query.get('call') ?? '')
    const n = this.calls++
    const p = this.failingPercent
    const fails = Math.floor(((n + 1) * p) / 100) > Math.floor((n * p) / 100)
    if (!fails) {
      counts.accepted++
    }
    response.writeHead(fails ? 500 : 200, { 'content-type': 'application/json' }).end(fails ? FAILED : OK)
  }
}
