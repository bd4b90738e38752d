/**
 * The last `capacity` ids added, for "have I seen this one lately?" in O(1): a ring of ids and a
 * set of the same. Adding past the capacity forgets the oldest, so the memory is fixed however
 * many ids pass through.
 */
export class RecentIds {
  readonly #ring: (string | undefined)[]
  readonly #set = new Set<string>()
  #next = 0

  constructor(capacity: number) {
    this.#ring = new Array<string | undefined>(capacity)
  }

  /** Remembers `id`, forgetting the oldest one once the ring is full. */
  add(id: string): void {
    if (this.#set.has(id)) {
      return
    }
    const oldest = this.#ring[this.#next]
    if (oldest !== undefined) {
      this.#set.delete(oldest)
    }
    this.#ring[this.#next] = id
    this.#set.add(id)
    this.#next = (this.#next + 1) % this.#ring.length
  }

  /** True when `id` is among the last `capacity` added. */
  has(id: string): boolean {
    return this.#set.has(id)
  }

  /** Forgets every id. */
  clear(): void {
    this.#ring.fill(undefined)
    this.#set.clear()
    this.#next = 0
  }
}
