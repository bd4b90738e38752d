const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/**
 * A Kubernetes resource quantity (`250m`, `1`, `512Mi`, `1.5Gi`) in base units: cores for CPU,
 * bytes for memory. Throws on anything else.
 */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') {
    return quantity
  }
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity)
  const multiplier = match === null ? undefined : SUFFIXES[match[2]!]
  if (match === null || multiplier === undefined) {
    throw new Error(`not a resource quantity: ${quantity}`)
  }
  return Number(match[1]) * multiplier
}
