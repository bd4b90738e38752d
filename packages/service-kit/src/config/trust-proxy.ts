import { isIP } from 'node:net'

import type { EnvVar } from './env.js'

/**
 * Which proxies in front of a service are believed about the client: `false` (none, the default),
 * a hop count, or the proxies' addresses and CIDR ranges. It is Fastify's `trustProxy` option.
 */
export type TrustProxy = false | number | readonly string[]

/** True for an IPv4 or IPv6 address, with an optional `/prefix` of the right size. */
function isAddressOrCidr(value: string): boolean {
  const slash = value.indexOf('/')
  const address = slash === -1 ? value : value.slice(0, slash)
  const version = isIP(address)
  if (version === 0) {
    return false
  }
  if (slash === -1) {
    return true
  }
  const prefix = value.slice(slash + 1)
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

/**
 * `TRUST_PROXY`: `false`, a whole number of hops (1 or more), or a comma-separated list of
 * addresses and CIDRs. `true` (trust whoever connects) is refused: any client could then choose
 * the address its rate limit is counted under. A hop count trusts the nearest hops whoever they
 * are, so it is safe only where nothing but the proxies can reach the process; addresses are safe
 * everywhere.
 */
export function trustProxy(doc: string): EnvVar<TrustProxy> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined || raw === 'false') {
        return false
      }
      if (/^\d+$/.test(raw)) {
        const hops = Number(raw)
        if (hops < 1 || hops > 32) {
          throw new Error('a hop count must be from 1 to 32')
        }
        return hops
      }
      const entries = raw.split(',').map((entry) => entry.trim())
      if (entries.some((entry) => !isAddressOrCidr(entry))) {
        throw new Error('must be false, a hop count, or a comma-separated list of IP addresses and CIDRs (e.g. 10.0.0.0/8)')
      }
      return entries
    },
  }
}
