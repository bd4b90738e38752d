/**
 * Monotonic milliseconds. Read through `globalThis` at each call (not captured at import) so that
 * fake timers installed by a test after this module loaded still control it.
 */
export function now(): number {
  return globalThis.performance.now()
}
