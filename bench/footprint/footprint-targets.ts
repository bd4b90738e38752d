/** One megabyte as the targets mean it: 10^6 bytes (the stricter reading; 500 MiB would be 524 MB). */
export const MB = 1_000_000

/** The targets of `npm start`'s footprint. */
export const TARGETS = {
  /** Memory of every process, idle a few seconds after a fresh start, at most (PSS sum). */
  idleBytes: 500 * MB,
  /** Memory of every process at the peak of the page load, at most (PSS sum). */
  loadBytes: 700 * MB,
  /** From the launcher's spawn to "Storefront is up" on a fresh data directory, at most. */
  freshStartMs: 5000,
  /** The same on the data of an earlier start, at most. */
  warmStartMs: 2000,
} as const

/** Bytes as megabytes (10^6), e.g. `512 MB`. */
export function formatMb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`
}

/** Milliseconds as seconds with two decimals, e.g. `3.41 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}
