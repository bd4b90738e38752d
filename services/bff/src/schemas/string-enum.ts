import { Type } from 'typebox'

/**
 * A string that is one of `values`, as one JSON schema: `{ enum, type: 'string' }`. A union of
 * literals would be an `anyOf` of `const`s, which the validator reports as "must match a schema in
 * anyOf" and the serializer tries branch by branch.
 */
export function stringEnum<const Values extends string[]>(values: readonly [...Values]) {
  return Type.With(Type.Enum(values), { type: 'string' })
}
