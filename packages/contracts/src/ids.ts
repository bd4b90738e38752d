import { Type } from 'typebox'

/** The largest id: ids are positive 32-bit integers (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647

/**
 * A positive whole number without sign, leading zero, exponent or fraction, at most 10 digits.
 * Path and query values are validated as strings (no coercion), then range-checked against
 * {@link MAX_ID} by the service.
 */
export const ID_PATTERN = '^[1-9][0-9]{0,9}$'

/** An id in a path or a query string: digits, checked as a string so nothing is coerced. */
export const IdParam = Type.String({ pattern: ID_PATTERN })

/** An id in a JSON body or answer. */
export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID })
