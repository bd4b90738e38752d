import { type Socket, connect } from 'node:net'

import { nearestRank } from './load.js'

/** One answer of an open-loop run (or a request that got none). */
export interface Answer {
  /** When the request was sent (or, with every connection busy, began to wait for one), in ms on the `performance.now()` clock. */
  readonly sentAtMs: number
  /** From sending to the whole body, in ms: a wait for a connection counts. */
  readonly latencyMs: number
  /** The HTTP status, or 0 when the request failed without one (refused, reset, timed out). */
  readonly status: number
  /** What the answer says about itself (see {@link OpenLoopOptions.classify}). */
  readonly kind: AnswerKind
}

/** What an answer says about itself: a label to count it by, and the parts a page went without. */
export interface AnswerKind {
  /** `200`, `200 degraded: inventory (timeout)`, `503 SVC_ERR_OVERLOADED`, `no answer (ECONNREFUSED)`. */
  readonly label: string
  /** The names in a page's `degraded`; empty for a whole page or an answer that is not a page. */
  readonly degraded: readonly string[]
}

/** An answer's header fields, by lower-case name. */
type AnswerHeaders = Readonly<Record<string, string | undefined>>

/** Reads an answer's kind from its status, headers and body. */
type AnswerClassifier = (status: number, headers: AnswerHeaders, body: string) => AnswerKind

/** Options of {@link startOpenLoop}. */
export interface OpenLoopOptions {
  /** A full `http:` URL on the loopback interface. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Headers per request, taken in turn (each visitor's bearer token), added to {@link headers}. */
  readonly visitors?: ReadonlyArray<Readonly<Record<string, string>>>
  /** Requests sent per second, whatever the answers do: the arrival rate of an open system. */
  readonly ratePerSecond: number
  readonly classify: AnswerClassifier
  /** The longest a request may take before it counts as failed (status 0), in ms. Defaults to 10 000. */
  readonly timeoutMs?: number
}

/** The latency at quantile `q` (0.5, 0.99) of `answers`, in ms; NaN when there are none. */
export function latencyAt(answers: readonly Answer[], q: number): number {
  return nearestRank(Float64Array.from(answers, (answer) => answer.latencyMs).sort(), q)
}

/** A running open-loop load; {@link stop} ends it. */
export interface OpenLoop {
  /** Stops sending, waits for the requests in flight, and returns every answer in the order sent; safe to call more than once. */
  stop(): Promise<Answer[]>
}

/** The most requests in flight at once; past it a request waits for a connection, and its latency counts the wait. */
const MAX_CONNECTIONS = 1024

/** How often the sender wakes to send what is due, in ms. */
const TICK_MS = 1

/**
 * Sends requests at a fixed arrival rate, each on a connection of its own when none is free, so a
 * slow answer never holds the next request back (closed-loop generators such as autocannon send
 * the next only after the last answer, and so ease off exactly when the system struggles). Every
 * answer is kept with the time it was sent, so that a run can say what happened when.
 *
 * It speaks HTTP/1.1 over plain sockets, one request at a time per keep-alive connection, from a
 * request written once: at three times what the system serves, the generator shares the machine
 * with it, and a general-purpose client's 30-60 µs a request would take the CPU the system is
 * measured on.
 */
export function startOpenLoop(options: OpenLoopOptions): OpenLoop {
  const target = new URL(options.url)
  if (target.protocol !== 'http:') {
    throw new Error(`open-loop load speaks plain HTTP only, not ${target.protocol}`)
  }
  // Each request written once, per visitor: the generator only picks the next.
  const requests = (options.visitors ?? [{}]).map((visitor) => Buffer.from(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\n` +
      Object.entries({ ...options.headers, ...visitor }).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      '\r\n',
    'latin1',
  ))
  const timeoutMs = options.timeoutMs ?? 10_000
  const port = Number(target.port || 80)
  const answers: Array<Answer | undefined> = []
  const idle: Connection[] = []
  const waiting: Pending[] = []
  let open = 0
  let settled = 0
  let onAllSettled: (() => void) | undefined

  const record = (pending: Pending, status: number, kind: AnswerKind): void => {
    answers[pending.index] = { sentAtMs: pending.sentAtMs, latencyMs: performance.now() - pending.sentAtMs, status, kind }
    if (++settled === answers.length) {
      onAllSettled?.()
    }
  }
  const release = (connection: Connection): void => {
    const next = waiting.shift()
    if (next === undefined) {
      idle.push(connection)
    } else {
      connection.send(next)
    }
  }
  const dispatch = (pending: Pending): void => {
    const connection = idle.pop()
    if (connection !== undefined) {
      connection.send(pending)
    } else if (open < MAX_CONNECTIONS) {
      open++
      new Connection(target.hostname, port, timeoutMs, options.classify, {
        answered: record,
        free: release,
        closed: (connection) => {
          open--
          // A connection the server closed while it sat idle must not be handed a request.
          const at = idle.indexOf(connection)
          if (at !== -1) {
            idle.splice(at, 1)
          }
        },
      }).send(pending)
    } else {
      waiting.push(pending)
    }
  }

  const startedAt = performance.now()
  const sender = setInterval(() => {
    // Catch up on every request due by now: a late tick sends a burst rather than losing them.
    const now = performance.now()
    const due = Math.floor(((now - startedAt) / 1000) * options.ratePerSecond)
    while (answers.length < due) {
      const index = answers.length
      answers.push(undefined)
      dispatch({ index, sentAtMs: now, request: requests[index % requests.length]! })
    }
  }, TICK_MS)

  let stopping: Promise<Answer[]> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        clearInterval(sender)
        if (settled < answers.length) {
          await new Promise<void>((resolve) => { onAllSettled = resolve })
        }
        for (const connection of idle.splice(0)) {
          connection.close()
        }
        return answers as Answer[]
      })()
      return stopping
    },
  }
}

/** The `index`-th request of the run, sent (or queued for a connection) at `sentAtMs`. */
interface Pending {
  readonly index: number
  readonly sentAtMs: number
  /** The request's bytes. */
  readonly request: Buffer
}

/** What a {@link Connection} tells the load about. */
interface ConnectionEvents {
  answered(pending: Pending, status: number, kind: AnswerKind): void
  /** The connection can take another request. */
  free(connection: Connection): void
  /** The connection is gone; it is neither idle nor busy any more. */
  closed(connection: Connection): void
}

const HEAD_END = Buffer.from('\r\n\r\n')

/** One keep-alive connection, one request at a time, with just enough HTTP/1.1 to read an answer. */
class Connection {
  private readonly socket: Socket
  private current: Pending | undefined
  private timer: NodeJS.Timeout | undefined
  private buffered: Buffer = Buffer.alloc(0)
  /** The answer's status and headers once its head is read; its body is `bodyLength` bytes. */
  private head: { status: number; headers: Record<string, string>; bodyLength: number; close: boolean } | undefined
  private gone = false

  constructor(
    host: string,
    port: number,
    private readonly timeoutMs: number,
    private readonly classify: AnswerClassifier,
    private readonly events: ConnectionEvents,
  ) {
    this.socket = connect({ host, port, noDelay: true })
    this.socket.on('data', (chunk: Buffer) => { this.read(chunk) })
    this.socket.on('error', (error: NodeJS.ErrnoException) => { this.fail(error.code ?? error.name) })
    this.socket.on('close', () => { this.fail('ECONNRESET') })
  }

  send(pending: Pending): void {
    this.current = pending
    this.timer = setTimeout(() => { this.fail('timeout') }, this.timeoutMs)
    this.socket.write(pending.request)
  }

  close(): void {
    if (this.gone) {
      return
    }
    this.gone = true
    this.socket.destroy()
    this.events.closed(this)
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    if (this.head === undefined) {
      const end = this.buffered.indexOf(HEAD_END)
      if (end === -1) {
        return
      }
      const head = parseHead(this.buffered.toString('latin1', 0, end))
      if (head.headers['transfer-encoding'] !== undefined) {
        // The BFF answers pages and problems with a content-length; a chunked answer is a change
        // this generator must be taught, not one to misread.
        this.fail(`transfer-encoding ${head.headers['transfer-encoding']} unread`)
        return
      }
      this.head = head
      this.buffered = this.buffered.subarray(end + HEAD_END.length)
    }
    const head = this.head
    if (this.buffered.length < head.bodyLength || this.current === undefined) {
      return
    }
    const body = this.buffered.toString('utf8', 0, head.bodyLength)
    this.buffered = this.buffered.subarray(head.bodyLength)
    this.head = undefined
    const pending = this.current
    this.current = undefined
    clearTimeout(this.timer)
    this.events.answered(pending, head.status, this.classify(head.status, head.headers, body))
    if (head.close) {
      this.close()
    } else {
      this.events.free(this)
    }
  }

  private fail(reason: string): void {
    const pending = this.current
    this.current = undefined
    clearTimeout(this.timer)
    this.close()
    if (pending !== undefined) {
      this.events.answered(pending, 0, { label: `no answer (${reason})`, degraded: [] })
    }
  }
}

/** The status, the header fields (lower-case names) and the body's length of an answer's head. */
function parseHead(text: string): { status: number; headers: Record<string, string>; bodyLength: number; close: boolean } {
  const lines = text.split('\r\n')
  const status = Number(lines[0]?.slice(9, 12))
  const headers: Record<string, string> = {}
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status, headers, bodyLength: Number(headers['content-length'] ?? 0), close: headers.connection?.toLowerCase() === 'close' }
}
