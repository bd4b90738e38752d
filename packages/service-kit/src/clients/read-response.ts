import type { Dispatcher } from 'undici'

import { type DownstreamProblem, UpstreamError } from './upstream-error.js'

/** The body stream of an undici response. */
export type ResponseBody = Dispatcher.ResponseData['body']

/** `application/json`, `application/problem+json` and other `+json` types. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i

/** What {@link readJson} needs besides the body. */
export interface ReadJsonOptions {
  /** The downstream's name, for errors. */
  readonly downstream: string
  /** The most bytes read before the body is cut off. */
  readonly maxBytes: number
  /** The response's `content-type`. */
  readonly contentType: string | string[] | undefined
  /** The response's `content-length`, when it sent one. */
  readonly contentLength: string | string[] | undefined
}

/**
 * Reads a JSON body of at most `maxBytes` and returns the parsed value, or `undefined` for an
 * empty body (a 204). Never buffers more than `maxBytes`: a body that announces or streams more is
 * destroyed (which closes that one connection) and fails with `UPSTREAM_ERR_BODY_TOO_LARGE`. A
 * non-JSON content type or malformed JSON fails with `UPSTREAM_ERR_BAD_BODY` after the body was
 * read whole, so the connection goes back to the pool.
 *
 * Socket errors and aborts are rethrown as they come; the caller classifies them.
 */
export async function readJson(body: ResponseBody, options: ReadJsonOptions): Promise<unknown> {
  const announced = Number(single(options.contentLength))
  if (announced > options.maxBytes) {
    throw tooLarge(body, options)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > options.maxBytes) {
      throw tooLarge(body, options)
    }
    chunks.push(chunk)
  }
  if (size === 0) {
    return undefined
  }
  const contentType = single(options.contentType) ?? ''
  if (!JSON_TYPE.test(contentType)) {
    throw new UpstreamError('UPSTREAM_ERR_BAD_BODY', `${options.downstream} answered with content-type "${contentType}", not JSON`, {
      downstream: options.downstream,
    })
  }
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown
  } catch (error) {
    throw new UpstreamError('UPSTREAM_ERR_BAD_BODY', `${options.downstream} answered with malformed JSON`, {
      downstream: options.downstream,
      cause: error,
    })
  }
}

/** The most bytes of a 4xx problem document read; a longer one is not worth keeping. */
const MAX_PROBLEM_BYTES = 16 * 1024

/**
 * Reads the problem document of a 4xx answer (`application/problem+json`, at most 16 KiB) and
 * keeps its RFC 9457 fields; anything else (another type, too long, malformed) is `undefined`. A
 * client error is the caller's to act on, so what the downstream said about it is worth passing on.
 */
export async function readProblem(body: ResponseBody, options: Omit<ReadJsonOptions, 'maxBytes'>): Promise<DownstreamProblem | undefined> {
  if (!/^application\/problem\+json/i.test(single(options.contentType) ?? '')) {
    await discard(body)
    return undefined
  }
  try {
    const value = await readJson(body, { ...options, maxBytes: MAX_PROBLEM_BYTES })
    if (typeof value !== 'object' || value === null) {
      return undefined
    }
    const { status, title, detail, type, code } = value as Record<string, unknown>
    if (typeof status !== 'number' || typeof title !== 'string') {
      return undefined
    }
    return {
      status,
      title,
      ...(typeof detail === 'string' ? { detail } : {}),
      ...(typeof type === 'string' ? { type } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    }
  } catch {
    return undefined
  }
}

/**
 * Throws away a body nobody will read (an error status, an answer without content), so the
 * connection can serve the next request. A body over undici's dump limit (128 KiB) closes the
 * connection instead of being read; a broken one is ignored, since the status already decided.
 */
export async function discard(body: ResponseBody): Promise<void> {
  try {
    await body.dump()
  } catch {
    // The answer is already known; a failure to drain only costs this connection.
  }
}

/**
 * A numeric `Retry-After` (delay-seconds, RFC 9110 §10.2.3) in milliseconds; `undefined` when
 * absent or an HTTP date, which downstreams inside Storefront do not send.
 */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = single(value)
  return raw !== undefined && /^\s*\d{1,9}\s*$/.test(raw) ? Number(raw) * 1000 : undefined
}

function tooLarge(body: ResponseBody, options: ReadJsonOptions): UpstreamError {
  // Destroying, not draining: reading the rest is exactly what the limit is there to prevent.
  // The stream then emits an abort error nobody else may be listening for; it is expected here.
  body.once('error', ignore)
  body.destroy()
  return new UpstreamError('UPSTREAM_ERR_BODY_TOO_LARGE', `${options.downstream} answered with a body over ${options.maxBytes} bytes`, {
    downstream: options.downstream,
  })
}

function ignore(): void {}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
