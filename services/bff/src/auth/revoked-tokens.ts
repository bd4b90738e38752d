import { createHash } from 'node:crypto'

/** Options of {@link RevokedTokens}. */
export interface RevokedTokensOptions {
  /** The most revocations kept at once; past it the oldest are forgotten first. Defaults to 1 000 000. */
  readonly maxEntries?: number
  /** The clock, in ms since the epoch; tests pass their own. */
  readonly now?: () => number
}

/**
 * Tokens signed out on this process (`POST /auth/logout`), each kept until it would have expired
 * anyway. A signed token cannot be taken back from its holder, so without this list a copied
 * session would outlive the sign-out by hours.
 *
 * Tokens are kept as SHA-256 digests (a fixed 43 characters, and no live credential in memory
 * dumps). Memory is bounded: expired entries are dropped as the list grows, and past `maxEntries`
 * the oldest revocations go first.
 */
export class RevokedTokens {
  readonly #expiresAtMs = new Map<string, number>()
  readonly #maxEntries: number
  readonly #now: () => number
  #pruneAt = 1024

  constructor(options: RevokedTokensOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000
    this.#now = options.now ?? Date.now
  }

  /** How many revocations are kept now. */
  get size(): number {
    return this.#expiresAtMs.size
  }

  /** Revokes `token` until `expiresAtMs`, when it stops verifying on its own. */
  revoke(token: string, expiresAtMs: number): void {
    if (expiresAtMs <= this.#now()) {
      return
    }
    const key = digest(token)
    this.#expiresAtMs.delete(key)
    this.#expiresAtMs.set(key, expiresAtMs)
    if (this.#expiresAtMs.size >= this.#pruneAt || this.#expiresAtMs.size > this.#maxEntries) {
      this.#prune()
    }
  }

  /** True while `token` is revoked. */
  has(token: string): boolean {
    if (this.#expiresAtMs.size === 0) {
      return false
    }
    const expiresAtMs = this.#expiresAtMs.get(digest(token))
    return expiresAtMs !== undefined && expiresAtMs > this.#now()
  }

  /** Drops expired entries, then the oldest while over the bound; prunes again only after growing by half. */
  #prune(): void {
    const now = this.#now()
    for (const [key, expiresAtMs] of this.#expiresAtMs) {
      if (expiresAtMs <= now) {
        this.#expiresAtMs.delete(key)
      }
    }
    for (const key of this.#expiresAtMs.keys()) {
      if (this.#expiresAtMs.size <= this.#maxEntries) {
        break
      }
      this.#expiresAtMs.delete(key)
    }
    this.#pruneAt = Math.max(1024, Math.ceil(this.#expiresAtMs.size * 1.5))
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
