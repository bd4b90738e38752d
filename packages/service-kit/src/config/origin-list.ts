import type { EnvVar } from './env.js'

/** Scheme, host and optional port, with at most a trailing slash. */
const HTTP_ORIGIN = /^https?:\/\/[^/?#@]+\/?$/

/** One entry of an origin list as its origin, or a message naming the entry. */
function parseOrigin(entry: string, index: number, count: number): string {
  // With one entry the error line already quotes the value; with several, say which one is wrong.
  const which = count === 1 ? '' : `entry ${index + 1} (${JSON.stringify(entry)}) `
  let url: URL | undefined
  try {
    url = HTTP_ORIGIN.test(entry) ? new URL(entry) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined) {
    throw new Error(`${which}must be an http(s) origin: scheme, host and port, with no path, query or credentials${count === 1 ? '' : ', and origins are separated by commas'}`)
  }
  return url.origin
}

/**
 * A downstream's replicas: one http(s) origin, or several separated by commas
 * (`http://10.0.3.7:8001,http://10.0.3.8:8001`), each without path, query or credentials; a
 * repeated origin is refused. `fallback` when unset. A host that is a name stands for every
 * address it resolves to (the client resolves it), so a Kubernetes headless Service is one entry.
 */
export function originList(doc: string, fallback: string): EnvVar<readonly string[]> {
  return {
    doc,
    parse: (raw) => {
      const entries = (raw ?? fallback).split(',').map((entry) => entry.trim())
      const origins = entries.map((entry, index) => parseOrigin(entry, index, entries.length))
      const repeated = origins.find((origin, index) => origins.indexOf(origin) !== index)
      if (repeated !== undefined) {
        throw new Error(`lists ${repeated} twice`)
      }
      return Object.freeze(origins)
    },
  }
}
