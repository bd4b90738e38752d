import type { FastifyContextConfig } from 'fastify'

import { type ErrorDefinition, kitErrors } from '../errors/app-error.js'
import { problemExample, problemSchema } from './problem-schema.js'
import { RESPONSE_HEADERS, type ResponseHeader } from './response-headers.js'
import { RouteAnswers } from './route-answers.js'
import type { RouteDocs } from './route-docs.js'

/** A route as the OpenAPI generator sees it: Fastify's route options, after every `onRoute` hook. */
export interface DocumentedRoute {
  readonly method: string | readonly string[]
  readonly url: string
  readonly config?: FastifyContextConfig | undefined
  readonly schema?: Readonly<Record<string, unknown>> | undefined
}

/** What a whole service is, as far as its routes' answers go. */
export interface ServiceFacts {
  /** Callers must present the service token (the internal services). */
  readonly requireServiceToken: boolean
  /** The service has a database its routes query. */
  readonly database: boolean
  /** The security scheme of the service token, in `components.securitySchemes`. */
  readonly serviceTokenScheme: string
}

/** Adds to `answers` what the service's own plugins answer on `route` (sign-in, rate limit, …). */
export type DescribeRoute = (route: DocumentedRoute, answers: RouteAnswers) => void

/** Methods whose body Fastify reads (by content type) before the handler runs. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Headers that come with the kit's own problems. */
const KIT_PROBLEM_HEADERS: ReadonlyMap<ErrorDefinition, readonly ResponseHeader[]> = new Map([
  [kitErrors.METHOD_NOT_ALLOWED, ['allow']],
  [kitErrors.UNAUTHORIZED, ['www-authenticate']],
  [kitErrors.DATABASE_UNAVAILABLE, ['retry-after']],
  [kitErrors.UPSTREAM_UNAVAILABLE, ['retry-after']],
  [kitErrors.OVERLOADED, ['retry-after']],
])

function methodsOf(route: DocumentedRoute): readonly string[] {
  return typeof route.method === 'string' ? [route.method] : route.method
}

function addKitProblem(answers: RouteAnswers, error: ErrorDefinition): void {
  answers.problem(error, ...(KIT_PROBLEM_HEADERS.get(error) ?? []))
}

/**
 * What every route of a Storefront service can answer besides its own errors, read from the kit's
 * plugins: a query parameter or a body that does not validate and a malformed
 * `x-request-timeout-ms` (400, on every route: every route refuses unknown query parameters), another
 * method on the same path (405 with `allow`), a budget spent (504), a failure (500); then per route,
 * a missing service token (401), a body Fastify reads (400 for bad JSON, 413, 415), the database
 * (503 with `retry-after`, and `server-timing` on any answer) and fault injection (500).
 */
export function kitAnswers(route: DocumentedRoute, facts: ServiceFacts): RouteAnswers {
  const answers = new RouteAnswers()
  const config = route.config ?? {}
  const docs: RouteDocs = config.docs ?? {}
  const open = config.public === true
  for (const error of [kitErrors.BAD_REQUEST, kitErrors.VALIDATION, kitErrors.METHOD_NOT_ALLOWED, kitErrors.INTERNAL, kitErrors.DEADLINE_EXCEEDED]) {
    addKitProblem(answers, error)
  }
  if (!open && config.faultFree !== true) {
    addKitProblem(answers, kitErrors.FAULT_INJECTED)
  }
  if (!open && facts.requireServiceToken) {
    addKitProblem(answers, kitErrors.UNAUTHORIZED)
    answers.security = [{ [facts.serviceTokenScheme]: [] }]
  }
  if (methodsOf(route).some((method) => BODY_METHODS.has(method))) {
    addKitProblem(answers, kitErrors.BODY_TOO_LARGE)
    addKitProblem(answers, kitErrors.UNSUPPORTED_MEDIA_TYPE)
    if (docs.jsonBody !== false) {
      addKitProblem(answers, kitErrors.BAD_JSON)
    }
  }
  if (facts.database && !open && docs.database !== false) {
    addKitProblem(answers, kitErrors.DATABASE_UNAVAILABLE)
    answers.header('server-timing')
  }
  return answers
}

/** Adds the route's own errors and headers (its `config.docs`) to `answers`. */
export function addRouteDocs(answers: RouteAnswers, docs: RouteDocs): void {
  for (const entry of docs.errors ?? []) {
    if ('error' in entry) {
      answers.problem(entry.error, ...(entry.headers ?? []))
    } else {
      addKitProblem(answers, entry)
    }
  }
  for (const header of docs.headers ?? []) {
    answers.success.add(header)
  }
  if (docs.security !== undefined) {
    answers.security = docs.security
  }
}

function headerObjects(headers: Iterable<ResponseHeader>): Record<string, unknown> {
  return Object.fromEntries([...new Set(headers)].sort().map((name) => [name, { ...RESPONSE_HEADERS[name] }]))
}

/** A copy of an object schema whose properties carry the example values given. */
function withPropertyExamples(schema: unknown, examples: Readonly<Record<string, unknown>> | undefined): unknown {
  if (examples === undefined || typeof schema !== 'object' || schema === null) {
    return schema
  }
  const object = schema as { properties?: Record<string, Record<string, unknown>> }
  const properties = { ...object.properties }
  for (const [name, value] of Object.entries(examples)) {
    const property = properties[name]
    if (property !== undefined) {
      properties[name] = { ...property, examples: [value] }
    }
  }
  return { ...object, properties }
}

/** A concrete path of the route for examples: its parameters from the request example, or `1`. */
function examplePath(route: DocumentedRoute, docs: RouteDocs): string {
  return route.url.replace(/:(\w+)/g, (_match, name: string) => docs.request?.params?.[name] ?? '1')
}

/**
 * The schema the OpenAPI document shows for `route`: its own validation schemas, with examples, and
 * a response for every status it can answer: the success answer from its response schema (204 without
 * a body), and every problem under its status as `application/problem+json`, its `code` an enum of
 * exactly the codes of that status, each with the headers that may come with it.
 *
 * A copy made for the document: the route's schemas, which validate and serialize, are untouched.
 */
export function documentedSchema(route: DocumentedRoute, answers: RouteAnswers): Record<string, unknown> {
  const docs: RouteDocs = route.config?.docs ?? {}
  const schema: Record<string, unknown> = { ...route.schema }
  const request = docs.request
  if (request?.params !== undefined) {
    schema.params = withPropertyExamples(schema.params, request.params)
  }
  const queryKey = schema.query === undefined ? 'querystring' : 'query'
  if (request?.query !== undefined) {
    schema[queryKey] = withPropertyExamples(schema[queryKey], request.query)
  }
  if (request?.headers !== undefined && schema.headers !== undefined) {
    schema.headers = withPropertyExamples(schema.headers, request.headers)
  }
  if (request?.body !== undefined && typeof schema.body === 'object') {
    schema.body = { ...schema.body, examples: [request.body] }
  }
  schema.security = answers.security
  const response: Record<string, Record<string, unknown>> = {}
  const successHeaders = headerObjects([...answers.everyAnswer, ...answers.success])
  const declared = (route.schema?.response ?? {}) as Record<string, Record<string, unknown>>
  for (const [status, body] of Object.entries(declared)) {
    const example = status.startsWith('2') && docs.response !== undefined ? { example: docs.response } : {}
    response[status] = {
      description: typeof body.description === 'string' ? body.description : status.startsWith('2') ? 'Success' : 'Answer',
      headers: successHeaders,
      content: { 'application/json': { schema: body, ...example } },
    }
  }
  if (docs.body !== undefined) {
    response[String(docs.body.status ?? 200)] = {
      description: 'Success',
      headers: successHeaders,
      content: { [docs.body.contentType ?? 'application/json']: { schema: docs.body.schema, ...(docs.response === undefined ? {} : { example: docs.response }) } },
    }
  }
  if (docs.noContent === true) {
    response['204'] = { type: 'null', description: 'Done; no body.', headers: successHeaders }
  }
  if (docs.notModified === true) {
    response['304'] = { type: 'null', description: 'Not modified: the caller\'s copy (`if-none-match`, `if-modified-since`) is current; no body.', headers: successHeaders }
  }
  const path = examplePath(route, docs)
  for (const [status, { errors, headers }] of [...answers.problems].sort(([a], [b]) => a - b)) {
    const definitions = [...errors.values()].sort((a, b) => a.code.localeCompare(b.code))
    const existing = response[String(status)]
    const content = { ...(existing?.content as Record<string, unknown> | undefined) }
    content['application/problem+json'] = { schema: problemSchema(status, definitions), example: problemExample(definitions[0]!, path) }
    response[String(status)] = {
      description: existing === undefined ? definitions.map((error) => `\`${error.code}\`: ${error.title}.`).join(' ') : String(existing.description),
      headers: headerObjects([...answers.everyAnswer, ...headers, ...Object.keys((existing?.headers ?? {})) as ResponseHeader[]]),
      content,
    }
  }
  schema.response = response
  return schema
}
