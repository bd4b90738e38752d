/** Thrown when an environment variable does not validate; its message is one line naming it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
    raw: string | undefined,
  ) {
    super(`Invalid environment variable ${variable}: ${problem}${raw === undefined ? '' : ` (got ${JSON.stringify(raw)})`}`)
    this.name = 'ConfigError'
  }
}

/** Reads one environment variable: a parser with its documentation and default. */
export interface EnvVar<T> {
  /** What the variable means, its unit and default, for `.env.example` and docs. */
  readonly doc: string
  /** Parses the raw value (undefined when unset); throws a message on a bad value. */
  readonly parse: (raw: string | undefined) => T
  /** True for a secret: a bad value is never repeated in the error, which ends up in logs. */
  readonly secret?: boolean
}

/** The typed, frozen result of reading a schema of {@link EnvVar}s. */
export type EnvOf<S extends Record<string, EnvVar<unknown>>> = { readonly [K in keyof S]: ReturnType<S[K]['parse']> }

/**
 * Reads every variable of `schema` from `env` once, validates it, runs `check` (the rules that
 * span several variables, e.g. "SERVICE_TOKEN is required unless ALLOW_INSECURE_LOOPBACK") and
 * returns a frozen object. Every bad value, alone or in combination, throws {@link ConfigError},
 * whose message names the variable: a configuration is validated here and nowhere else.
 */
export function readEnv<S extends Record<string, EnvVar<unknown>>>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  check?: (values: EnvOf<S>) => void,
): EnvOf<S> {
  const result: Record<string, unknown> = {}
  for (const [name, variable] of Object.entries(schema)) {
    const raw = env[name]
    const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim()
    try {
      result[name] = variable.parse(value)
    } catch (error) {
      throw new ConfigError(name, error instanceof Error ? error.message : String(error), variable.secret === true ? undefined : raw)
    }
  }
  const values = Object.freeze(result) as EnvOf<S>
  check?.(values)
  return values
}

/** A string; `fallback` when unset, required when there is none. */
export function str(doc: string, options: { fallback?: string; pattern?: RegExp } = {}): EnvVar<string> {
  return {
    doc,
    parse: (raw) => {
      const value = raw ?? options.fallback
      if (value === undefined) {
        throw new Error('is required')
      }
      if (options.pattern !== undefined && !options.pattern.test(value)) {
        throw new Error(`must match ${String(options.pattern)}`)
      }
      return value
    },
  }
}

/** An optional string: `undefined` when unset. */
export function optionalStr(doc: string, options: { pattern?: RegExp; minLength?: number } = {}): EnvVar<string | undefined> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return undefined
      }
      if (options.minLength !== undefined && raw.length < options.minLength) {
        throw new Error(`must be at least ${options.minLength} characters`)
      }
      if (options.pattern !== undefined && !options.pattern.test(raw)) {
        throw new Error(`must match ${String(options.pattern)}`)
      }
      return raw
    },
  }
}

/** An optional secret (a token, a signing key): as {@link optionalStr}, but never echoed in an error. */
export function optionalSecret(doc: string, options: { minLength?: number } = {}): EnvVar<string | undefined> {
  return { ...optionalStr(doc, options), secret: true }
}

/** A whole number in `[min, max]`. */
export function int(doc: string, options: { fallback: number; min: number; max: number }): EnvVar<number> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return options.fallback
      }
      const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN
      if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
        throw new Error(`must be a whole number from ${options.min} to ${options.max}`)
      }
      return value
    },
  }
}

/** A TCP port. */
export function port(doc: string, fallback: number): EnvVar<number> {
  return int(doc, { fallback, min: 0, max: 65_535 })
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`). */
export function bool(doc: string, fallback: boolean): EnvVar<boolean> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return fallback
      }
      const value = raw.toLowerCase()
      if (['true', '1', 'yes'].includes(value)) {
        return true
      }
      if (['false', '0', 'no'].includes(value)) {
        return false
      }
      throw new Error('must be true or false')
    },
  }
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(doc: string, values: readonly T[], fallback: T): EnvVar<T> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return fallback
      }
      if (!(values as readonly string[]).includes(raw)) {
        throw new Error(`must be one of ${values.join(', ')}`)
      }
      return raw as T
    },
  }
}

/** A probability in [0, 1]. */
export function probability(doc: string): EnvVar<number> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return 0
      }
      const value = Number(raw)
      if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 1)) {
        throw new Error('must be a number from 0 to 1')
      }
      return value
    },
  }
}

/** Inclusive bounds in milliseconds. */
export interface MsRange {
  readonly minMs: number
  readonly maxMs: number
}

/** The longest fault delay any setting may ask for: a minute, past every budget of the system. */
export const MAX_FAULT_DELAY_MS = 60_000

/**
 * `a-b` (or a single `a`) in whole milliseconds, a ≤ b ≤ `maxMs` (default {@link MAX_FAULT_DELAY_MS});
 * `undefined` when unset.
 */
export function msRange(doc: string, options: { maxMs?: number } = {}): EnvVar<MsRange | undefined> {
  const limit = options.maxMs ?? MAX_FAULT_DELAY_MS
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return undefined
      }
      const match = /^(\d{1,7})(?:-(\d{1,7}))?$/.exec(raw)
      const minMs = Number(match?.[1])
      const maxMs = match?.[2] === undefined ? minMs : Number(match[2])
      if (match === null || maxMs < minMs) {
        throw new Error('must be milliseconds as a-b with a <= b, e.g. 0-5000')
      }
      if (maxMs > limit) {
        throw new Error(`must be at most ${limit} ms`)
      }
      return { minMs, maxMs }
    },
  }
}
