import { AppError, kitErrors } from '../errors/app-error.js'

/** The largest id: ids are positive 32-bit integers. */
export const MAX_ID = 2_147_483_647

/**
 * A positive whole number without sign, leading zero, exponent or fraction, at most 10 digits.
 * Path and query values are validated as strings (no coercion), then range-checked by {@link parseId}.
 */
export const ID_PATTERN = '^[1-9][0-9]{0,9}$'

const ID = new RegExp(ID_PATTERN)

/** The JSON schema of an id path parameter. */
export const idParam = { type: 'string', pattern: ID_PATTERN } as const

/** Turns a validated id string into a number; 400 when it is past {@link MAX_ID}. */
export function parseId(value: string, name: string): number {
  const id = Number(value)
  if (!(id >= 1 && id <= MAX_ID) || !ID.test(value)) {
    throw new AppError(kitErrors.VALIDATION, `${name} must be a whole number from 1 to ${MAX_ID}`)
  }
  return id
}
