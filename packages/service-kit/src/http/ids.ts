import { ID_PATTERN, MAX_ID } from '@storefront/contracts'

import { AppError, kitErrors } from '../errors/app-error.js'

export { ID_PATTERN, MAX_ID }

const ID = new RegExp(ID_PATTERN)

/** Turns a validated id string into a number; 400 when it is past {@link MAX_ID}. */
export function parseId(value: string, name: string): number {
  const id = Number(value)
  if (!(id >= 1 && id <= MAX_ID) || !ID.test(value)) {
    throw new AppError(kitErrors.VALIDATION, `${name} must be a whole number from 1 to ${MAX_ID}`)
  }
  return id
}
