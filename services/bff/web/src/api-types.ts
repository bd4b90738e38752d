/**
 * The shapes of the BFF's answers, as its OpenAPI document (`docs/openapi/bff.json`) says them:
 * `generated/bff-api.d.ts` is generated from the document by `npm run openapi`, and every type
 * the pages read an answer with is taken from it here, so the pages and the API cannot drift apart.
 */
import type { paths } from './generated/bff-api.js'

type Responses<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends { responses: infer Answers } ? Answers : never

/** The JSON body of `method` on `path` when it answers `status`. */
type JsonAnswer<Path extends keyof paths, Method extends keyof paths[Path], Status extends keyof Responses<Path, Method>> =
  Responses<Path, Method>[Status] extends { content: { 'application/json': infer Body } } ? Body : never

/** Every operation of the document. */
type Operation = { [Path in keyof paths]: paths[Path][keyof paths[Path]] }[keyof paths]

/** The problem documents `operation` answers with, one per error status. */
type ProblemsOf<Op> = Op extends { responses: infer Answers }
  ? { [Status in keyof Answers]: Answers[Status] extends { content: { 'application/problem+json': infer Body } } ? Body : never }[keyof Answers]
  : never

/** An RFC 9457 problem as the BFF answers it: any of the document's, `code` one it lists. */
export type Problem = ProblemsOf<Operation>

/** The body of `GET /products/all`, the whole catalogue or one page of it. */
export type ProductsPage = JsonAnswer<'/products/all', 'get', 200>

/** A product of the page: every field of the catalogue plus its stock. */
export type PageProduct = ProductsPage['products'][number]

/** The signed-in user, as `GET /auth/me` names them. */
export type SignedInUser = JsonAnswer<'/auth/me', 'get', 200>

/** The user's cart lines (`GET /cart`). */
export type CartLines = JsonAnswer<'/cart', 'get', 200>

/** The user's favorites (`GET /favorites`). */
export type Favorites = JsonAnswer<'/favorites', 'get', 200>

/** The body of `GET /ops/traces`: the kept pages of the last minutes. */
export type PageTraces = JsonAnswer<'/ops/traces', 'get', 200>

/** A kept page as `GET /ops/traces` lists it. */
export type PageTrace = PageTraces['traces'][number]

/** A span of a kept page, timed from the page's start. */
export type TraceSpan = PageTrace['spans'][number]

/** An event of a span. */
export type TraceEvent = TraceSpan['events'][number]

/** The dashboard's figures (`GET /ops/stats`). */
export type OpsStats = JsonAnswer<'/ops/stats', 'get', 200>

/** One downstream's figures on the dashboard. */
export type DownstreamStats = OpsStats['downstreams'][string]

/** One replica of a downstream. */
export type ReplicaStats = DownstreamStats['replicas'][number]

/** Each downstream's fault settings, or why they could not be read (`GET /ops/faults`). */
export type OpsFaults = JsonAnswer<'/ops/faults', 'get', 200>

/** A downstream's fault settings, as `PUT /ops/faults/{downstream}` takes and answers them. */
export type FaultSettings = JsonAnswer<'/ops/faults/{downstream}', 'put', 200>
