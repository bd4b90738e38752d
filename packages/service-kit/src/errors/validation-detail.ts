/** A Fastify validation error: Ajv's errors and the part of the request they are about. */
interface ValidationFailure {
  readonly message?: unknown
  readonly validation?: unknown
  readonly validationContext?: unknown
}

/** Longest name quoted back to the caller, in characters. */
const MAX_NAME_LENGTH = 100

function quoted(name: string): string {
  return JSON.stringify(name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name)
}

/**
 * The `detail` of a 400 for a request that did not validate. An unknown query parameter or field is
 * named (`Unknown query parameter "colour".`), since Ajv's own message ("must NOT have additional
 * properties") does not say which one; anything else keeps Fastify's message
 * (`body/quantity must be integer`).
 */
export function validationDetail(error: ValidationFailure): string {
  const first: unknown = Array.isArray(error.validation) ? error.validation[0] : undefined
  const { keyword, params, instancePath } = (typeof first === 'object' && first !== null ? first : {}) as { keyword?: unknown; params?: { additionalProperty?: unknown }; instancePath?: unknown }
  const name = keyword === 'additionalProperties' ? params?.additionalProperty : undefined
  if (typeof name === 'string') {
    const part = typeof error.validationContext === 'string' ? error.validationContext : 'request'
    if (part === 'querystring' && (instancePath === '' || instancePath === undefined)) {
      return `Unknown query parameter ${quoted(name)}.`
    }
    return `Unknown field ${quoted(name)} in ${part}${typeof instancePath === 'string' ? instancePath : ''}.`
  }
  return String(error.message)
}
