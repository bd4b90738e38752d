import type { RecordedAnswer } from '../../../packages/service-kit/src/testing/index.js'

/** The parts of an OpenAPI 3.0 document the check reads. */
export interface OpenApiDocument {
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> }
}

interface OpenApiOperation {
  readonly responses?: Readonly<Record<string, OpenApiResponse>>
}

interface OpenApiResponse {
  readonly headers?: Readonly<Record<string, unknown>>
  readonly content?: Readonly<Record<string, { readonly schema?: unknown }>>
}

/** An answer a test saw that its route's document does not list, and what is missing. */
export interface UndocumentedAnswer {
  readonly answer: RecordedAnswer
  readonly missing: string
}

/**
 * The answers among `answers` that their service's document does not list: a route it has no
 * operation for, a status without a response (exactly, or as a `4XX`-style range; a `default`
 * response documents nothing), a problem `code` outside the response's `code` enum, or a contract
 * header the response does not declare. Answers of services without a document, and those no
 * route matched (a 404 for any path, which no operation can list), are not judged. A `HEAD` is
 * judged against its `GET`, whose answer it is without the body.
 */
export function undocumentedAnswers(documents: ReadonlyMap<string, OpenApiDocument>, answers: readonly RecordedAnswer[]): UndocumentedAnswer[] {
  const found: UndocumentedAnswer[] = []
  for (const answer of answers) {
    const document = documents.get(answer.service)
    if (document === undefined || answer.route === null) {
      continue
    }
    const missing = whatIsMissing(document, answer)
    if (missing !== undefined) {
      found.push({ answer, missing })
    }
  }
  return found
}

function whatIsMissing(document: OpenApiDocument, answer: RecordedAnswer): string | undefined {
  const method = answer.method === 'HEAD' ? 'get' : answer.method.toLowerCase()
  const operation = document.paths?.[openApiPath(answer.route!)]?.[method] as OpenApiOperation | undefined
  if (operation === undefined) {
    return 'no operation'
  }
  const response = operation.responses?.[String(answer.status)] ?? operation.responses?.[`${String(answer.status)[0]}XX`]
  if (response === undefined) {
    return `no ${answer.status} response`
  }
  if (answer.code !== undefined) {
    const codes = problemCodes(document, response)
    if (!codes.includes(answer.code)) {
      return `code ${answer.code} not among ${codes.length === 0 ? 'none' : codes.join(', ')}`
    }
  }
  const declared = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase())
  const undeclared = answer.headers.filter((name) => !declared.includes(name))
  return undeclared.length === 0 ? undefined : `header ${undeclared.join(', ')} not declared`
}

/** `/products/:id` as OpenAPI writes it: `/products/{id}`. */
function openApiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

/** The `code` values a response's problem schema allows: its `enum`, or its `const`. */
function problemCodes(document: OpenApiDocument, response: OpenApiResponse): string[] {
  const schema = resolve(document, response.content?.['application/problem+json']?.schema)
  const code = resolve(document, (schema as { properties?: Record<string, unknown> } | undefined)?.properties?.code) as { enum?: unknown[]; const?: unknown } | undefined
  if (code?.enum !== undefined) {
    return code.enum.filter((value): value is string => typeof value === 'string')
  }
  return typeof code?.const === 'string' ? [code.const] : []
}

/** A schema, or the one its local `$ref` points to. */
function resolve(document: OpenApiDocument, schema: unknown): unknown {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref
  if (typeof ref !== 'string' || !ref.startsWith('#/')) {
    return schema
  }
  let target: unknown = document
  for (const part of ref.slice(2).split('/')) {
    target = (target as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')]
  }
  return target
}
