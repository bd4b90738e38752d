import { baseEnv, checkBaseEnv, databaseEnv, int, readEnv } from '@storefront/service-kit'

/** Every variable the cart service reads. */
export const cartEnvSchema = {
  ...baseEnv(8003),
  ...databaseEnv(),
  IDEMPOTENCY_TTL_HOURS: int('How long an Idempotency-Key and its stored answer are kept, in hours; older keys may be purged. Defaults to 24.', {
    fallback: 24,
    min: 1,
    max: 24 * 30,
  }),
  IDEMPOTENCY_PURGE_INTERVAL_MS: int('How often expired idempotency keys are deleted while the service runs, in ms (0: only at start). Defaults to 1 h.', {
    fallback: 3_600_000,
    min: 0,
    max: 86_400_000,
  }),
}

/** The cart service's validated, frozen environment. */
export type CartEnv = ReturnType<typeof readCartEnv>

/** Reads the environment once; a bad value throws naming the variable. */
export function readCartEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return readEnv(cartEnvSchema, env, checkBaseEnv)
}
