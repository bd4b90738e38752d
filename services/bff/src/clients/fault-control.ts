import type { FaultSettingsBody } from '@storefront/service-kit'
import { request } from 'undici'

/** How a fault-control call ended: the service's answer, or why there is none. */
export type FaultControlResult =
  | { readonly ok: true; readonly faults: FaultSettingsBody }
  | { readonly ok: false; readonly status: number | undefined; readonly reason: string; readonly cause?: unknown }

/** The longest a fault-control call may take, in ms. */
const CONTROL_TIMEOUT_MS = 2000

/**
 * Reads or changes the fault injection of one replica of a service (`GET`/`PUT /ops/faults`,
 * development only).
 *
 * Deliberately not through the downstream's `UpstreamClient`: while a fault has that client's
 * breaker open, the call that turns the fault off must still get through.
 */
async function controlFaults(origin: string, token: string, change?: FaultSettingsBody): Promise<FaultControlResult> {
  try {
    const response = await request(new URL('/ops/faults', origin), {
      method: change === undefined ? 'GET' : 'PUT',
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', 'accept': 'application/json' },
      ...(change === undefined ? {} : { body: JSON.stringify(change) }),
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    })
    const text = await response.body.text()
    if (response.statusCode !== 200) {
      return { ok: false, status: response.statusCode, reason: response.statusCode === 404 ? 'fault control is off on this service (FAULT_CONTROL=true turns it on)' : `answered ${response.statusCode}` }
    }
    return { ok: true, faults: JSON.parse(text) as FaultSettingsBody }
  } catch (error) {
    return { ok: false, status: undefined, reason: describeFailure(error), cause: error }
  }
}

/**
 * Reads or changes the fault injection of every replica of a service. A change goes to each, and
 * fails when any of them refused it or could not be reached, since a fault set on some replicas
 * only is not what the operator asked for. A read answers with the first replica that answers.
 */
export async function controlReplicaFaults(origins: readonly string[], token: string, change?: FaultSettingsBody): Promise<FaultControlResult> {
  const results = await Promise.all(origins.map((origin) => controlFaults(origin, token, change)))
  const decisive = change === undefined ? results.find((result) => result.ok) : results.find((result) => !result.ok)
  return decisive ?? results[0]!
}

/**
 * Why a service could not be reached, in words that are safe to show an operator's browser: the
 * error's own message names internal addresses and ports, which stay in the BFF's log.
 */
function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${CONTROL_TIMEOUT_MS} ms`
  }
  if (error instanceof SyntaxError) {
    return 'answered with a body that is not JSON'
  }
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ECONNREFUSED' ? 'not reachable (connection refused)' : 'not reachable'
}
