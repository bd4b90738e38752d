import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** `performance.now()` when the headers arrived. */
  readonly at: number
  /** Resolves when the client closed the request before it was answered (the call was aborted). */
  readonly aborted: Promise<void>
}

/** Answers one request; the request's body is already read. */
export type FaultHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void

/**
 * A real HTTP server on a loopback address (127.0.0.1 unless told; Linux answers on all of
 * 127.0.0.0/8, so replicas can share a port) whose behaviour each test sets with `handle`, counting
 * requests and TCP connections, so tests can assert retries and keep-alive reuse.
 */
export class FaultServer {
  readonly requests: SeenRequest[] = []
  /** TCP connections accepted so far. */
  connections = 0
  private handler: FaultHandler = (_req, res) => { json(res, 200, {}) }
  private readonly sockets = new Set<Socket>()

  private constructor(private readonly server: Server, readonly url: string) {}

  /** Listens on `host` and `port` (0: any free one). */
  static async start(host = '127.0.0.1', port = 0): Promise<FaultServer> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, resolve)
    })
    const fault = new FaultServer(server, `http://${host}:${(server.address() as AddressInfo).port}`)
    server.on('connection', (socket) => {
      fault.connections++
      fault.sockets.add(socket)
      socket.on('close', () => fault.sockets.delete(socket))
    })
    server.on('request', (req: IncomingMessage, res: ServerResponse) => { fault.onRequest(req, res) })
    return fault
  }

  /** Requests seen so far. */
  get calls(): number {
    return this.requests.length
  }

  /** TCP connections open now. */
  get openConnections(): number {
    return this.sockets.size
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port)
  }

  /** Sets how the server answers from now on. */
  handle(handler: FaultHandler): void {
    this.handler = handler
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy()
    }
    await new Promise<void>((resolve) => this.server.close(() => { resolve() }))
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const at = performance.now()
    const aborted = new Promise<void>((resolve) => {
      res.on('close', () => {
        if (!res.writableFinished) {
          resolve()
        }
      })
    })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), at, aborted }
      this.requests.push(seen)
      this.handler(req, res, seen)
    })
  }
}

/** Sends `value` as JSON with `status`. */
export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

/** An origin on `host` where nothing listens: connecting to it is refused. */
export async function closedPortUrl(host = '127.0.0.1'): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return `http://${host}:${port}`
}
