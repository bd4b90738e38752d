import type { AnswerClassifier } from '../lib/load.js'

/** What an answer of `GET /products/all` says about itself. */
export interface PageAnswer {
  readonly status: number
  /** The `degraded` names (empty for a whole page or a non-200 answer). */
  readonly degraded: readonly string[]
  /** `degraded_reasons`, by name. */
  readonly reasons: Readonly<Record<string, string>>
  /** The `product_id` of each product on the page, in order; empty for a non-200 answer. */
  readonly productIds: readonly number[]
  /** `next_after` of a page of the catalogue (`?limit=N`); undefined when the page has none. */
  readonly nextAfter?: number | null
  /** `cart_items` and `favorite_items`: null for an anonymous visitor or a degraded part. */
  readonly cartItems?: number | null
  readonly favoriteItems?: number | null
}

interface PageBody {
  readonly products?: unknown
  readonly degraded?: unknown
  readonly degraded_reasons?: unknown
  readonly next_after?: unknown
  readonly cart_items?: unknown
  readonly favorite_items?: unknown
}

/** How a run tells right answers from wrong ones. */
export interface AnswerCheck {
  /** Labels each answer, a right one with {@link right}; without it an answer is labelled with its status. */
  readonly classify?: AnswerClassifier
  /** The label of a right answer: `200`, `200 degraded: products (stale)`, `503`. */
  readonly right: string
}

const NOT_A_PAGE: PageAnswer = { status: 0, degraded: [], reasons: {}, productIds: [] }

/**
 * Reads a page from its body. A 200 whose body is not a page is reported as status 0 rather than
 * thrown: the load generator calls this for every answer and must keep counting.
 */
export function readPageBody(status: number, body: string): PageAnswer {
  if (status !== 200) {
    return { status, degraded: [], reasons: {}, productIds: [] }
  }
  let page: PageBody
  try {
    page = JSON.parse(body) as PageBody
  } catch {
    return NOT_A_PAGE
  }
  if (!Array.isArray(page.products) || !Array.isArray(page.degraded)) {
    return NOT_A_PAGE
  }
  return {
    status,
    degraded: page.degraded.map(String),
    reasons: typeof page.degraded_reasons === 'object' && page.degraded_reasons !== null ? (page.degraded_reasons as Record<string, string>) : {},
    productIds: page.products.map((product: { product_id?: unknown } | null) => Number(product?.product_id)),
    ...(page.next_after === undefined ? {} : { nextAfter: typeof page.next_after === 'number' ? page.next_after : null }),
    cartItems: typeof page.cart_items === 'number' ? page.cart_items : null,
    favoriteItems: typeof page.favorite_items === 'number' ? page.favorite_items : null,
  }
}

/** A short label to count answers by: `200`, `200 degraded: inventory (timeout)`, `503`, `0 (not a page)`. */
export function labelOf(answer: PageAnswer): string {
  if (answer.status === 0) {
    return '0 (not a page)'
  }
  if (answer.degraded.length === 0) {
    return String(answer.status)
  }
  const parts = answer.degraded.map((part) => (answer.reasons[part] === undefined ? part : `${part} (${answer.reasons[part]})`))
  return `${answer.status} degraded: ${parts.join(', ')}`
}

/**
 * Every answer a page of the products 1..`products` (the seeded catalogue), whole, or with
 * `degraded` (`products (stale)`) its only degraded part. A page with other products is labelled
 * with how many it had.
 */
export function expectPage(products: number, degraded?: string): AnswerCheck {
  return {
    right: degraded === undefined ? '200' : `200 degraded: ${degraded}`,
    classify: (status, body) => {
      const page = readPageBody(status, body)
      const label = labelOf(page)
      return page.status === 200 && !isCatalogue(page.productIds, 0, products) ? `${label}, not products 1..${products} (${page.productIds.length} products)` : label
    },
  }
}

/** True when `ids` are `after + 1`, `after + 2`, … in order, `count` of them. */
export function isCatalogue(ids: readonly number[], after: number, count: number): boolean {
  return ids.length === count && ids.every((id, index) => id === after + 1 + index)
}

/** Fetches one page, reading its body. */
export async function fetchPage(bffOrigin: string, headers: Readonly<Record<string, string>>): Promise<PageAnswer> {
  const response = await fetch(`${bffOrigin}/products/all`, { headers })
  return readPageBody(response.status, await response.text())
}

/** Fetches `url` once and labels the answer as a run with `check` would: the label, or undefined when it is right. */
export async function wrongAnswer(url: string, headers: Readonly<Record<string, string>>, check: AnswerCheck): Promise<string | undefined> {
  const response = await fetch(url, { headers })
  const body = await response.text()
  const { pathname, search } = new URL(url)
  const label = check.classify === undefined ? String(response.status) : check.classify(response.status, body, Object.fromEntries(response.headers), `${pathname}${search}`)
  return label === check.right ? undefined : label
}
