import { labelOf, readPageBody } from '../bff/page-answer.js'
import type { AnswerKind } from '../lib/open-loop.js'

/** The problem code of a shed request: the BFF's load shedding refuses it before any work. */
export const SHED_CODE = 'SVC_ERR_OVERLOADED'

const WHOLE_PAGE: AnswerKind = { label: '200', degraded: [] }

/** The label of a shed answer: 503, `retry-after`, and {@link SHED_CODE}. */
export const SHED_LABEL = `503 ${SHED_CODE}, retry-after`

/**
 * The kind of an answer of `GET /products/all`: a page labelled with what it went without and why
 * (`200 degraded: products (stale)`), a problem with its status and code (`504 SVC_ERR_TIMEOUT`),
 * or {@link SHED_LABEL} for a 503 that carries both the code and a `retry-after`.
 */
export function pageKind(status: number, headers: Readonly<Record<string, string | string[] | undefined>>, body: string): AnswerKind {
  if (status === 200) {
    // A whole page says so by having no x-degraded: no need to parse kilobytes of products at the
    // rates of an overload.
    if (headers['x-degraded'] === undefined) {
      return WHOLE_PAGE
    }
    const page = readPageBody(status, body)
    return { label: labelOf(page), degraded: page.degraded }
  }
  const code = problemCode(body)
  if (status === 503 && code === SHED_CODE && headers['retry-after'] !== undefined) {
    return { label: SHED_LABEL, degraded: [] }
  }
  return { label: code === undefined ? String(status) : `${status} ${code}`, degraded: [] }
}

/** The `code` of a problem document, or undefined when the body is not one. */
function problemCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}
