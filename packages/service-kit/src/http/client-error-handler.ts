import { randomUUID } from 'node:crypto'
import { STATUS_CODES, maxHeaderSize } from 'node:http'
import type { Socket } from 'node:net'

import type { FastifyBaseLogger } from 'fastify'

import { type ErrorDefinition, kitErrors } from '../errors/app-error.js'
import { problemOf } from '../errors/to-problem.js'

/** What Node hands a server's `clientError` listener: an HTTP parser error (`HPE_*`), a request timeout, or a socket error. */
export interface ClientError extends Error {
  readonly code?: string
  /** The parser's own words for what is wrong, e.g. "Invalid character in chunk size". */
  readonly reason?: unknown
}

/** The response of the socket's request in progress, if any (Node keeps it on the socket). */
interface SocketWithResponse {
  readonly _httpMessage?: { readonly headersSent?: boolean } | null
}

/** A parser's reason, shown only when it is the short, plain sentence it should be. */
const PLAIN_REASON = /^[\w .,'()-]{1,120}$/

/** The answers to the errors Node names; any other is a malformed request. */
const ANSWERS = new Map<string, { definition: ErrorDefinition; detail: string }>([
  // The request line counts toward the limit: an overlong URL lands here too.
  ['HPE_HEADER_OVERFLOW', { definition: kitErrors.HEADERS_TOO_LARGE, detail: `The request line and headers together are larger than ${maxHeaderSize} bytes.` }],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', { definition: kitErrors.BODY_TOO_LARGE, detail: 'The chunk extensions of the body are too large.' }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { definition: kitErrors.REQUEST_TIMEOUT, detail: 'The request did not arrive in full within the server\'s request timeout.' }],
])

function answerFor(error: ClientError): { definition: ErrorDefinition; detail: string } {
  const known = error.code === undefined ? undefined : ANSWERS.get(error.code)
  if (known !== undefined) {
    return known
  }
  const reason = typeof error.reason === 'string' && PLAIN_REASON.test(error.reason) ? `: ${error.reason}` : ''
  return { definition: kitErrors.BAD_REQUEST, detail: `The request is not well-formed HTTP/1.1${reason}.` }
}

/**
 * Fastify's `clientErrorHandler`: answers what Node's HTTP parser refuses before any routing (a 431
 * for headers or a URL over the header limit, a 400 for a malformed request or chunked body, a 408
 * for a request that does not arrive within the server's request timeout) with an RFC 9457 problem
 * and a generated `x-request-id`, as every other error is answered, then closes the connection.
 *
 * It keeps Node's own rules for this moment: no answer on a connection already reset or destroyed,
 * none when the answer to the request in progress on this connection has started going out (a
 * second status line would corrupt it), and `connection: close` and the socket's end in every
 * case, since the parser cannot read anything more from this connection.
 */
export function answerClientError(error: ClientError, socket: Socket, log: FastifyBaseLogger): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy()
    return
  }
  const inFlight = (socket as SocketWithResponse)._httpMessage
  if (socket.writable && inFlight?.headersSent !== true) {
    const { definition, detail } = answerFor(error)
    const requestId = randomUUID()
    const body = JSON.stringify({ ...problemOf(definition, detail), request_id: requestId })
    const head = [
      `HTTP/1.1 ${definition.statusCode} ${STATUS_CODES[definition.statusCode] ?? definition.title}`,
      'content-type: application/problem+json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${requestId}`,
      `date: ${new Date().toUTCString()}`,
      'connection: close',
    ]
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`)
    // `reqId`, as in every other log line of a request, so the id the client saw finds this line.
    log.info({ reqId: requestId, code: definition.code, reason: error.code }, 'request refused before routing')
  }
  socket.destroy()
}
