import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

import type { ReplicaSet } from './replica-set.js'

/** Resolves a host name to its addresses (IPv4 or IPv6, without brackets). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>

/** Every address of `hostname`, A and AAAA, through the system resolver, as a connection would find them. */
export async function lookupAll(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true })
  return found.map((entry) => entry.address)
}

/** A configured origin whose host is a name: the origins of its addresses at the last resolution. */
interface NamedOrigin {
  readonly protocol: string
  readonly hostname: string
  /** `:8001`, or empty for the scheme's default port. */
  readonly port: string
  origins: readonly string[]
}

/** Options of {@link ReplicaDiscovery}. */
export interface ReplicaDiscoveryOptions {
  readonly resolve: ResolveHost
  /** How often host names are resolved again, in ms. */
  readonly intervalMs: number
}

/** The shortest pause between two resolutions asked for by ejections, in ms. */
const MIN_REFRESH_GAP_MS = 1000

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}

/**
 * Keeps a {@link ReplicaSet} to the configured origins. An origin whose host is an IP address, or
 * `localhost` (one machine, whatever addresses it answers on), is one replica. An origin whose host
 * is a name (a Kubernetes headless Service, a DNS round-robin) stands for every address the name
 * resolves to, resolved with `node:dns` at start, every `intervalMs` while running, and soon after a
 * replica is ejected (it may be gone for good). A failed resolution keeps the addresses the name had.
 */
export class ReplicaDiscovery {
  readonly #set: ReplicaSet
  readonly #fixed: readonly string[]
  readonly #named: readonly NamedOrigin[]
  readonly #resolve: ResolveHost
  readonly #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  readonly #ready: Promise<void>
  #lastStartedAt = Number.NEGATIVE_INFINITY
  #closed = false

  constructor(urls: readonly URL[], set: ReplicaSet, options: ReplicaDiscoveryOptions) {
    this.#set = set
    this.#resolve = options.resolve
    const fixed: string[] = []
    const named: NamedOrigin[] = []
    for (const url of urls) {
      const host = hostOf(url)
      if (isIP(host) !== 0 || host === 'localhost') {
        fixed.push(url.origin)
      } else {
        named.push({ protocol: url.protocol, hostname: host, port: url.port === '' ? '' : `:${url.port}`, origins: [] })
      }
    }
    this.#fixed = fixed
    this.#named = named
    set.update(fixed)
    if (named.length === 0) {
      this.#ready = Promise.resolve()
      return
    }
    this.#ready = this.#refresh()
    this.#timer = setInterval(() => {
      void this.#refresh()
    }, options.intervalMs)
  }

  /** Settles once the first resolution is over (at once when no host is a name); never rejects. */
  get ready(): Promise<void> {
    return this.#ready
  }

  /** Resolves the names again now, unless a resolution is running or started less than a second ago. */
  refreshSoon(): void {
    if (this.#named.length > 0 && performance.now() - this.#lastStartedAt >= MIN_REFRESH_GAP_MS) {
      void this.#refresh()
    }
  }

  /** Stops resolving. */
  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
  }

  #refresh(): Promise<void> {
    this.#running ??= this.#resolveAll().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #resolveAll(): Promise<void> {
    this.#lastStartedAt = performance.now()
    await Promise.all(this.#named.map(async (entry) => {
      try {
        const addresses = await this.#resolve(entry.hostname)
        if (addresses.length > 0) {
          entry.origins = addresses.map((address) => `${entry.protocol}//${isIP(address) === 6 ? `[${address}]` : address}${entry.port}`)
        }
      } catch {
        // A resolver that fails for a moment must not empty the set: keep what the name had.
      }
    }))
    if (this.#closed) {
      return
    }
    // Over HTTPS, a replica found through a name checks its certificate against that name.
    const servernames = new Map<string, string>()
    for (const entry of this.#named) {
      for (const origin of entry.protocol === 'https:' ? entry.origins : []) {
        servernames.set(origin, entry.hostname)
      }
    }
    this.#set.update([...this.#fixed, ...this.#named.flatMap((entry) => entry.origins)], servernames)
  }
}
