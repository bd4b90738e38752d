import { type BaseEnv, baseEnv } from '../config/base-env.js'
import { readEnv } from '../config/env.js'

/** The service token tests use. */
export const TEST_SERVICE_TOKEN = 'test-service-token-0123456789'

/** Headers that carry {@link TEST_SERVICE_TOKEN}. */
export const authHeaders: Readonly<Record<string, string>> = Object.freeze({ authorization: `Bearer ${TEST_SERVICE_TOKEN}` })

/**
 * A validated base environment for tests, built from values rather than `process.env`:
 * the test token, quiet logs, and whatever `overrides` set (as environment strings).
 */
export function testBaseEnv(defaultPort: number, overrides: Record<string, string> = {}): BaseEnv {
  return readEnv(baseEnv(defaultPort), { SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', ...overrides })
}
