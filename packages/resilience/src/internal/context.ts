import type { Deadline } from '../deadline.js'
import type { ExecutionContext } from '../types.js'

/** Called with the abort reason; returns nothing. */
export type AbortListener = (reason: unknown) => void

/** Undoes a subscription. */
export type Unsubscribe = () => void

const noop: Unsubscribe = () => {}

/** The signal handed out when nothing can ever abort the call: shared, so it costs nothing. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal

/**
 * The library's own view of an {@link ExecutionContext}: the public fields plus cheap,
 * listener-based cancellation between policies, so that a pipeline of policies does not create
 * an `AbortController` (or add a DOM event listener) per layer per call.
 */
export abstract class Context implements ExecutionContext {
  constructor(
    readonly attempt: number,
    readonly deadline: Deadline | undefined,
  ) {}

  abstract readonly signal: AbortSignal
  /** True once this context (or one it derives from) has been aborted. */
  abstract readonly aborted: boolean
  /** The abort reason, when {@link aborted}. */
  abstract readonly reason: unknown
  /** False when nothing can ever abort this context; lets callers skip subscribing. */
  abstract readonly abortable: boolean
  /**
   * True when a policy further out settles its own call the moment this context aborts, so the
   * caller has its answer already. The layers inside then wait for the work instead of racing the
   * abort too: a bulkhead keeps its slot until the work really ends, and no layer pays for a
   * second subscription. False for a caller's own signal, which a policy must answer itself.
   */
  abstract readonly answered: boolean
  /** Calls `listener` once, on abort. Not called for an abort that already happened. */
  abstract onAbort(listener: AbortListener): Unsubscribe

  /** Throws the abort reason if aborted, as `AbortSignal.throwIfAborted` does. */
  throwIfAborted(): void {
    if (this.aborted) {
      throw this.reason
    }
  }
}

/** An operation as policies run it among themselves: it receives the library's own context. */
export type ContextOperation<T> = (context: Context) => T | PromiseLike<T>

/** What a foreign policy may hand back: at least a signal. */
export interface ForeignContext {
  readonly signal: AbortSignal
  readonly attempt?: number
  readonly deadline?: Deadline | undefined
}

/** A context that never aborts: the default when the caller passes no signal. */
class RootContext extends Context {
  get signal(): AbortSignal {
    return neverAbortedSignal
  }

  get aborted(): boolean {
    return false
  }

  get reason(): unknown {
    return undefined
  }

  get abortable(): boolean {
    return false
  }

  get answered(): boolean {
    return false
  }

  onAbort(): Unsubscribe {
    return noop
  }
}

/** The shared context of a call made without a signal. */
export const rootContext: Context = new RootContext(1, undefined)

/** A context driven by a caller's `AbortSignal`. */
class SignalContext extends Context {
  constructor(
    readonly signal: AbortSignal,
    attempt: number,
    deadline: Deadline | undefined,
  ) {
    super(attempt, deadline)
  }

  get aborted(): boolean {
    return this.signal.aborted
  }

  get reason(): unknown {
    return this.signal.reason as unknown
  }

  get abortable(): boolean {
    return true
  }

  get answered(): boolean {
    return false
  }

  onAbort(listener: AbortListener): Unsubscribe {
    const signal = this.signal
    const handler = (): void => { listener(signal.reason) }
    signal.addEventListener('abort', handler, { once: true })
    return () => { signal.removeEventListener('abort', handler) }
  }
}

/**
 * Wraps what a caller gave: no signal means the shared root context.
 * A `deadline` adds no timer here; the policies that wait consult it.
 */
export function contextFor(signal: AbortSignal | undefined, deadline?: Deadline): Context {
  if (signal === undefined) {
    return deadline === undefined ? rootContext : new ViewContext(rootContext, 1, deadline)
  }
  return new SignalContext(signal, 1, deadline)
}

/**
 * Adopts the context a foreign policy handed back to us (anything with `signal` and maybe
 * `attempt`), keeping our own when it is ours.
 */
export function adoptContext(value: ForeignContext | undefined, fallback: Context): Context {
  if (value instanceof Context) {
    return value
  }
  if (value === undefined) {
    return fallback
  }
  if (value.signal === fallback.signal) {
    // Same cancellation; keep a foreign retry's attempt number if it brought one.
    const attempt = value.attempt ?? fallback.attempt
    return attempt === fallback.attempt ? fallback : new ViewContext(fallback, attempt, fallback.deadline)
  }
  return new SignalContext(value.signal, value.attempt ?? fallback.attempt, value.deadline ?? fallback.deadline)
}

/**
 * The parent's cancellation under another attempt number or deadline, or marked
 * {@link Context.answered} by a policy that answers the caller itself; allocates nothing else.
 */
export class ViewContext extends Context {
  constructor(
    private readonly parent: Context,
    attempt: number,
    deadline: Deadline | undefined,
    readonly answered: boolean = parent.answered,
  ) {
    super(attempt, deadline)
  }

  get signal(): AbortSignal {
    return this.parent.signal
  }

  get aborted(): boolean {
    return this.parent.aborted
  }

  get reason(): unknown {
    return this.parent.reason
  }

  get abortable(): boolean {
    return this.parent.abortable
  }

  onAbort(listener: AbortListener): Unsubscribe {
    return this.parent.onAbort(listener)
  }
}

/**
 * A context the library can abort itself (on timeout, or when a hedge loses), which also follows
 * its parent. It subscribes to the parent only once someone needs to hear about an abort (its
 * `signal` was read, or a listener was added), and {@link dispose} drops that subscription, so a
 * long-lived caller signal never accumulates listeners.
 */
export class ScopeContext extends Context {
  private controller: AbortController | undefined
  private ownAborted = false
  private ownReason: unknown
  /** The first listener: most scopes have one at most, which then costs no array. */
  private listener: AbortListener | undefined
  private listeners: AbortListener[] | undefined
  private unlink: Unsubscribe | undefined
  private disposed = false

  constructor(
    private readonly parent: Context,
    attempt: number,
    deadline: Deadline | undefined,
  ) {
    super(attempt, deadline)
  }

  get signal(): AbortSignal {
    let controller = this.controller
    if (controller === undefined) {
      controller = new AbortController()
      this.controller = controller
      if (this.aborted) {
        controller.abort(this.reason)
      } else {
        this.link()
      }
    }
    return controller.signal
  }

  get aborted(): boolean {
    return this.ownAborted || this.parent.aborted
  }

  get reason(): unknown {
    return this.ownAborted ? this.ownReason : this.parent.reason
  }

  get abortable(): boolean {
    return true
  }

  /** Its owner (a timeout, a hedge, `settle`) settles its own call the moment it aborts it. */
  get answered(): boolean {
    return true
  }

  onAbort(listener: AbortListener): Unsubscribe {
    this.link()
    if (this.listener === undefined && this.listeners === undefined) {
      this.listener = listener
      return () => {
        if (this.listener === listener) {
          this.listener = undefined
        }
      }
    }
    const listeners = (this.listeners ??= [])
    listeners.push(listener)
    return () => {
      // Once the abort has begun (or the call is over) the list is retired: splicing it while
      // abort() walks it would make the next listener miss the abort.
      if (this.listeners !== listeners) {
        return
      }
      const index = listeners.lastIndexOf(listener)
      if (index !== -1) {
        listeners.splice(index, 1)
      }
    }
  }

  /** Aborts this context and everything derived from it; the first reason wins. */
  abort(reason: unknown): void {
    if (this.ownAborted) {
      return
    }
    this.ownAborted = true
    this.ownReason = reason
    this.unlinkParent()
    // `abort()` on a controller costs microseconds, which is why only a read signal has one.
    this.controller?.abort(reason)
    const listener = this.listener
    const listeners = this.listeners
    this.listener = undefined
    this.listeners = undefined
    listener?.(reason)
    if (listeners !== undefined) {
      for (const listener of listeners) {
        listener(reason)
      }
    }
  }

  /** The call is over: stop following the parent. The context stays readable. */
  dispose(): void {
    this.disposed = true
    this.listener = undefined
    this.listeners = undefined
    this.unlinkParent()
  }

  private link(): void {
    if (this.unlink === undefined && !this.disposed && !this.ownAborted && this.parent.abortable) {
      this.unlink = this.parent.onAbort((reason) => { this.abort(reason) })
    }
  }

  private unlinkParent(): void {
    const unlink = this.unlink
    if (unlink !== undefined) {
      this.unlink = noop
      unlink()
    }
  }
}

/**
 * The context a policy that answers its caller at the abort hands to the layers inside it: the same
 * cancellation, marked {@link Context.answered}.
 */
export function answeredView(context: Context): Context {
  return new ViewContext(context, context.attempt, context.deadline, true)
}
