/** A list of listeners of one kind. */
export type Listeners<L> = L[]

/** Adds `listener`; the returned function removes it (once). */
export function addListener<L>(listeners: Listeners<L>, listener: L): () => void {
  listeners.push(listener)
  let removed = false
  return () => {
    if (removed) {
      return
    }
    removed = true
    const index = listeners.indexOf(listener)
    if (index !== -1) {
      listeners.splice(index, 1)
    }
  }
}

/**
 * Calls every listener with `args`. A listener that throws cannot corrupt the caller's state
 * halfway through a transition: its error is rethrown on a later microtask, where it surfaces as
 * an uncaught exception like any other bug.
 */
export function emit<A extends unknown[]>(listeners: Listeners<(...args: A) => void>, ...args: A): void {
  if (listeners.length === 0) {
    return
  }
  for (const listener of listeners.slice()) {
    try {
      listener(...args)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }
}
