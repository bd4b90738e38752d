import { type Socket, connect } from 'node:net'

import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { testBaseEnv } from '../testing/test-env.js'
import { answerClientError } from './client-error-handler.js'
import { createServiceApp } from './create-service-app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** An HTTP answer read off a raw socket, up to the server closing the connection. */
interface RawAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A service with one route, listening on an ephemeral loopback port. */
async function listen(): Promise<{ app: FastifyInstance; port: number }> {
  const app = createServiceApp({ service: 'demo', env: testBaseEnv(8999), logger: false, processMetrics: false, requireServiceToken: false })
  app.get('/things', () => ({ ok: true }))
  app.post('/things', () => ({ ok: true }))
  apps.push(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('not listening on TCP')
  }
  return { app, port: address.port }
}

/**
 * Writes `parts` on a fresh connection (waiting `gapMs` between them) and reads until the server
 * closes it. Rejects when the server keeps the connection open longer than `timeoutMs`.
 */
function exchange(port: number, parts: readonly string[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const received: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server did not close the connection; read so far: ${Buffer.concat(received).toString('latin1').slice(0, 200)}`))
    }, options.timeoutMs ?? 3000)
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    // The server may close while the rest of a large request is still on its way.
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(received).toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end === -1) {
        reject(new Error(`no complete HTTP answer: ${JSON.stringify(text)}`))
        return
      }
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) })
    })
    socket.once('connect', () => {
      void (async () => {
        for (const [index, part] of parts.entries()) {
          if (index > 0 && options.gapMs !== undefined) {
            await new Promise((resolveGap) => setTimeout(resolveGap, options.gapMs))
          }
          if (socket.destroyed) {
            return
          }
          socket.write(part)
        }
      })()
    })
  })
}

/** Asserts that `answer` is a complete problem document of `status` and `code`, on a closing connection. */
function expectProblem(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status)
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(answer.headers.connection).toBe('close')
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body))
  const requestId = answer.headers['x-request-id']
  expect(requestId).toMatch(UUID)
  expect(JSON.parse(answer.body)).toEqual({
    type: `urn:storefront:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    request_id: requestId,
  })
}

describe('errors raised before routing', () => {
  it('answers a 60 KB header with a 431 problem carrying a generated request id, and closes the connection', async () => {
    const { port } = await listen()
    const answer = await exchange(port, [`GET /things HTTP/1.1\r\nhost: localhost\r\nx-filler: ${'a'.repeat(60 * 1024)}\r\n\r\n`])
    expectProblem(answer, 431, 'SVC_ERR_HEADERS_TOO_LARGE')
  })

  it('answers a URL longer than the header limit with the same 431 problem', async () => {
    const { port } = await listen()
    const answer = await exchange(port, [`GET /things/${'a'.repeat(20 * 1024)} HTTP/1.1\r\nhost: localhost\r\n\r\n`])
    expectProblem(answer, 431, 'SVC_ERR_HEADERS_TOO_LARGE')
  })

  it('answers a malformed chunked body with a 400 problem', async () => {
    const { port } = await listen()
    const answer = await exchange(port, ['POST /things HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nbad chunk\r\n\r\n'])
    expectProblem(answer, 400, 'SVC_ERR_BAD_REQUEST')
  })

  it('answers bytes that are not HTTP with a 400 problem', async () => {
    const { port } = await listen()
    const answer = await exchange(port, ['HELLO THERE\r\n\r\n'])
    expectProblem(answer, 400, 'SVC_ERR_BAD_REQUEST')
  })

  it('answers garbage after a complete exchange on a kept-alive connection with a 400 problem, after the first answer', async () => {
    const { port } = await listen()
    const answer = await exchange(port, ['GET /things HTTP/1.1\r\nhost: localhost\r\n\r\n', '\u0001\u0002 nonsense\r\n\r\n'], { gapMs: 50 })
    // The first answer is intact: 200 with its JSON body, and the problem follows it.
    expect(answer.status).toBe(200)
    const second = answer.body.slice(answer.body.indexOf('HTTP/1.1 '))
    expect(answer.body.startsWith('{"ok":true}')).toBe(true)
    expect(second).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(second).toContain('"code":"SVC_ERR_BAD_REQUEST"')
  })

  it('answers a request whose body stops arriving with a 408 problem once the server\'s request timeout passes', async () => {
    const { app, port } = await listen()
    // Node swaps the two limits when the headers' is longer, and a body could then trickle in for
    // the headers' limit (60 s by default) instead of the request's.
    expect(app.server.headersTimeout).toBe(app.server.requestTimeout)
    // The kit's own limit is REQUEST_TIMEOUT_MS + 5 s; a short one keeps the test quick.
    app.server.requestTimeout = 200
    app.server.headersTimeout = 200
    const startedAt = performance.now()
    const answer = await exchange(port, ['POST /things HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{"a'], { timeoutMs: 4000 })
    expectProblem(answer, 408, 'SVC_ERR_REQUEST_TIMEOUT')
    // Connections are checked every second, not every 30 s as Node does by default.
    expect(performance.now() - startedAt).toBeLessThan(2000)
  })
})

/** A socket that records what is written to it, in a given state. */
function fakeSocket(state: { destroyed?: boolean; writable?: boolean; headersSent?: boolean }): { socket: Socket; written: string[]; destroyed: () => boolean } {
  const written: string[] = []
  let destroyed = state.destroyed ?? false
  const socket = {
    get destroyed() {
      return destroyed
    },
    writable: state.writable ?? true,
    _httpMessage: state.headersSent === undefined ? null : { headersSent: state.headersSent },
    write(data: string) {
      written.push(data)
      return true
    },
    destroy() {
      destroyed = true
    },
  }
  return { socket: socket as unknown as Socket, written, destroyed: () => destroyed }
}

/** A logger that keeps what was logged at info. */
function recordingLogger(): { log: FastifyBaseLogger; lines: unknown[] } {
  const lines: unknown[] = []
  const noop = (): void => {}
  const log = { level: 'info', info: (fields: unknown) => lines.push(fields), error: noop, warn: noop, debug: noop, trace: noop, fatal: noop, silent: noop, child: (): unknown => log }
  return { log: log as unknown as FastifyBaseLogger, lines }
}

const parseError = (code: string): Error => Object.assign(new Error(`Parse Error: ${code}`), { code, reason: 'Invalid character in chunk size' })

describe('answerClientError', () => {
  it('answers a fresh connection, logs the request id the client saw, and closes it', () => {
    const { socket, written, destroyed } = fakeSocket({})
    const { log, lines } = recordingLogger()
    answerClientError(parseError('HPE_INVALID_CHUNK_SIZE'), socket, log)
    expect(written).toHaveLength(1)
    const requestId = /x-request-id: (\S+)/.exec(written[0]!)?.[1]
    expect(written[0]).toContain('"detail":"The request is not well-formed HTTP/1.1: Invalid character in chunk size."')
    expect(lines).toEqual([{ reqId: requestId, code: 'SVC_ERR_BAD_REQUEST', reason: 'HPE_INVALID_CHUNK_SIZE' }])
    expect(destroyed()).toBe(true)
  })

  it('writes nothing into a connection whose current answer has started going out, and closes it', () => {
    const { socket, written, destroyed } = fakeSocket({ headersSent: true })
    answerClientError(parseError('HPE_INVALID_CHUNK_SIZE'), socket, recordingLogger().log)
    expect(written).toEqual([])
    expect(destroyed()).toBe(true)
  })

  it('answers while the current answer has not started (a request timing out mid-body)', () => {
    const { socket, written } = fakeSocket({ headersSent: false })
    answerClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket, recordingLogger().log)
    expect(written[0]).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
  })

  it('writes nothing to a connection that was reset or is no longer writable', () => {
    for (const [error, state] of [
      [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), {}],
      [parseError('HPE_INVALID_METHOD'), { writable: false }],
      [parseError('HPE_INVALID_METHOD'), { destroyed: true }],
    ] as const) {
      const { socket, written, destroyed } = fakeSocket(state)
      answerClientError(error, socket, recordingLogger().log)
      expect(written).toEqual([])
      expect(destroyed()).toBe(true)
    }
  })
})
