import { ConfigError } from './env.js'
import { isLoopback } from './loopback.js'

/** The variables that hold secrets: each is held to {@link secretWeakness} off loopback. */
export const SECRET_VARIABLES = ['SERVICE_TOKEN', 'AUTH_SECRET', 'AUTH_JWT_SECRET', 'OPS_TOKEN'] as const

/** A variable that holds a secret. */
export type SecretVariable = (typeof SECRET_VARIABLES)[number]

/** The fewest characters a secret may have off loopback: 32 random characters are far past guessing. */
export const MIN_SECRET_LENGTH = 32

/**
 * Every placeholder written in a `.env.example`. Copying an example file is the usual first step
 * of a deployment, so its values are refused off loopback, however long they are; a test keeps
 * this list in step with the example files.
 */
export const EXAMPLE_SECRETS: ReadonlySet<string> = new Set([
  'change-me-to-a-long-random-token',
  'change-me-to-a-long-random-string',
  'a-long-random-shared-secret',
  'change-me-to-a-long-random-ops-token',
])

/** Why `value` is too weak to guard anything reachable from another machine, or `undefined` if it will do. */
export function secretWeakness(value: string): string | undefined {
  if (EXAMPLE_SECRETS.has(value)) {
    return 'is the placeholder from a .env.example; generate one, e.g. `openssl rand -hex 32`'
  }
  // Counted in code points, so that a secret of emoji is not taken for twice its length.
  if (Array.from(value).length < MIN_SECRET_LENGTH) {
    return `must be at least ${MIN_SECRET_LENGTH} characters off loopback; generate one, e.g. \`openssl rand -hex 32\``
  }
  if (/^(.)\1*$/su.test(value)) {
    return 'is one repeated character; generate one, e.g. `openssl rand -hex 32`'
  }
  return undefined
}

/**
 * Refuses a weak secret when the process listens beyond this machine (`host` is not a loopback
 * address): throws one line naming the variable, never its value, which would end up in logs.
 */
export function checkSecret(variable: SecretVariable, value: string | undefined, host: string): void {
  if (value === undefined || isLoopback(host)) {
    return
  }
  const weakness = secretWeakness(value)
  if (weakness !== undefined) {
    throw new ConfigError(variable, `${weakness} (HOST is ${host}, not a loopback address)`, undefined)
  }
}
