/** The user the pages are requested for: the seed data gives user 1 three cart lines and three favorites. */
export const BENCH_USER = 1

/** Who the page requests come from. */
export interface Visitor {
  /** Headers of every page request: the bearer token, or none for an anonymous visitor. */
  readonly headers: Readonly<Record<string, string>>
  readonly signedIn: boolean
  /** Why the visitor is anonymous, for the report. */
  readonly note?: string
}

/**
 * Signs in as `userId` through the BFF's demo sign-in (`POST /auth/login`) and returns the bearer
 * header. A signed-in page costs four downstream calls (products, cart, favorites, inventory), an
 * anonymous one two, so the table must say which it measured: a BFF built before sign-in existed
 * answers 404 here, and the run goes on anonymous with a note.
 */
export async function signIn(bffOrigin: string, userId: number): Promise<Visitor> {
  const response = await fetch(`${bffOrigin}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId }),
  })
  const text = await response.text()
  if (response.status === 404) {
    return {
      headers: {},
      signedIn: false,
      note: 'POST /auth/login answered 404 (this BFF build has no sign-in): pages were requested anonymous, so each costs 2 downstream calls (products, inventory) instead of 4.',
    }
  }
  if (response.status !== 200) {
    throw new Error(`POST /auth/login answered ${response.status}: ${text.slice(0, 200)}`)
  }
  const token = (JSON.parse(text) as { token?: unknown }).token
  if (typeof token !== 'string' || token === '') {
    throw new Error(`POST /auth/login answered 200 without a token: ${text.slice(0, 200)}`)
  }
  return { headers: { authorization: `Bearer ${token}` }, signedIn: true }
}

/**
 * Signs in users 1 to `count` (demo sign-in) and returns each one's headers: the pages of many
 * visitors, whose carts and favorites are read each on their own, unlike one visitor's identical
 * pages, which the BFF serves from one read in flight.
 */
export async function signInVisitors(bffOrigin: string, count: number): Promise<Array<Readonly<Record<string, string>>>> {
  const visitors: Array<Readonly<Record<string, string>>> = []
  for (let userId = 1; userId <= count; userId++) {
    const visitor = await signIn(bffOrigin, userId)
    if (!visitor.signedIn) {
      throw new Error(`sign-in of user ${userId} failed: ${visitor.note ?? 'no token'}`)
    }
    visitors.push(visitor.headers)
  }
  return visitors
}
