/** Marks every error this library throws, across installed copies of the package. */
const kResilienceError: unique symbol = Symbol.for('storefront.resilience.error') as never

/**
 * The base class of every error `@storefront/resilience` throws.
 *
 * Match on {@link ResilienceError.code} (a stable string) or use the `is*` guards: both keep working
 * when two copies of the package are installed, where a plain prototype check would fail.
 * `instanceof` works across copies too, because each class checks the brand and the code.
 */
export class ResilienceError extends Error {
  /** A stable, machine-readable code, e.g. `RES_ERR_TIMEOUT`. */
  readonly code: string

  /** The code every instance of this class carries; subclasses override it. */
  static readonly code: string = 'RES_ERR_RESILIENCE'

  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    Object.defineProperty(this, kResilienceError, { value: true })
  }

  /** Brand-based `instanceof`, so that errors from another copy of the package still match. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) {
      return true
    }
    if (!isBranded(value)) {
      return false
    }
    return this === ResilienceError || value.code === this.code
  }
}

function isBranded(value: unknown): value is ResilienceError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kResilienceError] === true
}

/** True for any error thrown by this library, from any installed copy. */
export function isResilienceError(value: unknown): value is ResilienceError {
  return isBranded(value)
}

/** True when `value` is a branded error carrying `code`. */
export function hasResilienceCode(value: unknown, code: string): boolean {
  return isBranded(value) && value.code === code
}
