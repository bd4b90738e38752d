import assert from 'node:assert/strict'

import type { LightMyRequestResponse } from 'fastify'

/** What must never reach a client in a problem: stack frames, driver and SQL text, constraint names. */
const LEAKS = /at .*\.(ts|js):\d+|postgres|syntax error|violates|_pkey|_fkey/i

/**
 * Asserts an RFC 9457 problem answer of `status`: the problem content type, `type`, `title`,
 * `detail` and `status` in the body, and nothing of the internals; returns the body for further
 * checks (its `code`, say). Written with `node:assert`, so it works under any test runner.
 */
export function expectProblem(response: LightMyRequestResponse, status: number): Record<string, unknown> {
  assert.equal(response.statusCode, status, `expected a ${status} problem, got ${response.statusCode}: ${response.body.slice(0, 300)}`)
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
  const body = response.json<Record<string, unknown>>()
  assert.equal(body.status, status)
  assert.match(String(body.type), /^urn:storefront:problem:/)
  assert.equal(typeof body.title, 'string')
  assert.equal(typeof body.detail, 'string')
  assert.doesNotMatch(JSON.stringify(body), LEAKS)
  return body
}
