import { describe, expect, it } from 'vitest'

import { validationDetail } from './validation-detail.js'

const unknown = (context: string, name: string, instancePath = '') => ({
  message: `${context} must NOT have additional properties`,
  validationContext: context,
  validation: [{ keyword: 'additionalProperties', instancePath, params: { additionalProperty: name } }],
})

describe('validationDetail', () => {
  it('names an unknown query parameter', () => {
    expect(validationDetail(unknown('querystring', 'colour'))).toBe('Unknown query parameter "colour".')
  })

  it('names an unknown body field, with where it is', () => {
    expect(validationDetail(unknown('body', 'user_id'))).toBe('Unknown field "user_id" in body.')
    expect(validationDetail(unknown('body', 'x', '/items/0'))).toBe('Unknown field "x" in body/items/0.')
  })

  it('quotes a name safely and cuts a long one at 100 characters', () => {
    expect(validationDetail(unknown('querystring', 'a"b'))).toBe('Unknown query parameter "a\\"b".')
    expect(validationDetail(unknown('querystring', 'n'.repeat(500)))).toBe(`Unknown query parameter "${'n'.repeat(100)}…".`)
  })

  it('keeps Fastify\'s message for every other failure', () => {
    expect(validationDetail({ message: 'body/quantity must be integer', validationContext: 'body', validation: [{ keyword: 'type', instancePath: '/quantity', params: { type: 'integer' } }] })).toBe('body/quantity must be integer')
  })
})
