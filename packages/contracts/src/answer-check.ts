import type { Static, TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/** Returns its argument typed by the schema, or throws a `TypeError` that says what is wrong. */
export type AnswerCheck<T extends TSchema> = (value: unknown) => Static<T>

/**
 * A check of a downstream's answer against the schema the downstream serializes it with. The
 * schema is compiled once into a plain function, so a check costs about what a hand-written one
 * does; the first error (path and message) names what is wrong, for the log and the problem detail.
 */
export function answerCheck<T extends TSchema>(schema: T, what: string): AnswerCheck<T> {
  const validator = Compile(schema)
  return (value) => {
    if (validator.Check(value)) {
      return value
    }
    const [first] = validator.Errors(value)
    throw new TypeError(first === undefined ? `${what}: not as the contract says` : `${what}${first.instancePath}: ${first.message}`)
  }
}
