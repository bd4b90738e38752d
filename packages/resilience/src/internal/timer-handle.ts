/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); longer ones fire after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A timer handle as Node returns it; fake timers and other runtimes may lack `ref`/`unref`. */
export type TimerHandle = ReturnType<typeof setTimeout>

interface Refable {
  ref?: () => unknown
  unref?: () => unknown
}

/** Lets the process exit while `timer` is pending. */
export function unrefTimer(timer: TimerHandle): void {
  (timer as Refable).unref?.()
}

/** Makes `timer` keep the process alive again. */
export function refTimer(timer: TimerHandle): void {
  (timer as Refable).ref?.()
}
