/** What an answer of `GET /products/all` says about itself. */
export interface PageAnswer {
  readonly status: number
  /** The `degraded` names (empty for a whole page or a non-200 answer). */
  readonly degraded: readonly string[]
  /** `degraded_reasons`, by name; empty when only the header was read. */
  readonly reasons: Readonly<Record<string, string>>
  /** Products on the page; undefined when the body was not read. */
  readonly products?: number
  /** `cart_items` and `favorite_items`: null for an anonymous visitor or a degraded part. */
  readonly cartItems?: number | null
  readonly favoriteItems?: number | null
}

interface PageBody {
  readonly products?: unknown
  readonly degraded?: unknown
  readonly degraded_reasons?: unknown
  readonly cart_items?: unknown
  readonly favorite_items?: unknown
}

/**
 * Reads a page from its body. A 200 whose body is not a page is reported as status 0 rather than
 * thrown: the load generator calls this for every answer and must keep counting.
 */
export function readPageBody(status: number, body: string): PageAnswer {
  if (status !== 200) {
    return { status, degraded: [], reasons: {} }
  }
  let page: PageBody
  try {
    page = JSON.parse(body) as PageBody
  } catch {
    return { status: 0, degraded: [], reasons: {} }
  }
  if (!Array.isArray(page.products) || !Array.isArray(page.degraded)) {
    return { status: 0, degraded: [], reasons: {} }
  }
  return {
    status,
    degraded: page.degraded.map(String),
    reasons: typeof page.degraded_reasons === 'object' && page.degraded_reasons !== null ? (page.degraded_reasons as Record<string, string>) : {},
    products: page.products.length,
    cartItems: typeof page.cart_items === 'number' ? page.cart_items : null,
    favoriteItems: typeof page.favorite_items === 'number' ? page.favorite_items : null,
  }
}

/**
 * Reads a page from its `x-degraded` header only, which names the same parts as `degraded`:
 * parsing a 10 000-product body for every answer would load the load generator, not the BFF.
 */
export function readPageHeader(status: number, headers: Readonly<Record<string, unknown>>): PageAnswer {
  const header = headers['x-degraded']
  const degraded = typeof header === 'string' && header !== '' ? header.split(',').map((part) => part.trim()) : []
  return { status, degraded, reasons: {} }
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

/** Fetches one page, reading its body. */
export async function fetchPage(bffOrigin: string, headers: Readonly<Record<string, string>>): Promise<PageAnswer> {
  const response = await fetch(`${bffOrigin}/products/all`, { headers })
  return readPageBody(response.status, await response.text())
}
