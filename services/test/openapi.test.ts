import { readFileSync } from 'node:fs'

import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'

import { DOCUMENTED_APPS, type DocumentedApp, documentText, documentUrl, generateDocument } from './openapi/documents.js'
import { PAGE_TYPES_URL, pageTypesOf } from './openapi/page-types.js'

interface Operation {
  readonly security?: unknown[]
  readonly parameters?: Array<{ readonly example?: unknown }>
  readonly requestBody?: { readonly content: Record<string, { readonly example?: unknown }> }
  readonly responses: Record<string, { readonly content?: Record<string, { readonly example?: unknown; readonly schema?: { readonly properties?: { readonly code?: { readonly enum?: string[] } } } }> }>
}

type Paths = Record<string, Record<string, Operation>>

/** The BFF's paths before every route was documented: none may go missing. */
const BFF_PATHS = [
  '/auth/login', '/auth/logout', '/auth/me', '/products/all', '/cart', '/cart/items', '/cart/items/{product_id}',
  '/favorites', '/favorites/{product_id}', '/ops/breakers', '/ops/stats', '/ops/faults', '/ops/faults/{downstream}',
]

/** Every code of docs/errors.md with its status. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  return new Map([...text.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1]!, Number(match[2])]))
}

function operations(document: Record<string, unknown>): Array<[string, Operation]> {
  return Object.entries(document.paths as Paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]))
}

const documents = new Map<DocumentedApp, Record<string, unknown>>()
async function documentOf(name: DocumentedApp): Promise<Record<string, unknown>> {
  let document = documents.get(name)
  if (document === undefined) {
    document = await generateDocument(name)
    documents.set(name, document)
  }
  return document
}

describe.each(DOCUMENTED_APPS)('docs/openapi/%s.json', (name) => {
  it('is what the app generates now (npm run openapi writes it)', async () => {
    const committed = readFileSync(documentUrl(name), 'utf8')
    expect(committed).toBe(documentText(await documentOf(name)))
  })

  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(structuredClone(await documentOf(name)) as never)).resolves.toBeDefined()
  })

  it('names the security of every operation, and gives a success answer with an example', async () => {
    for (const [operation, { security, responses }] of operations(await documentOf(name))) {
      expect({ operation, security: Array.isArray(security) }).toEqual({ operation, security: true })
      const success = Object.entries(responses).filter(([status]) => status.startsWith('2'))
      expect({ operation, success: success.length }).toEqual({ operation, success: 1 })
      const [status, answer] = success[0]!
      const examples = Object.values(answer.content ?? {}).map((media) => media.example)
      expect({ operation, example: status === '204' || examples.every((example) => example !== undefined) }).toEqual({ operation, example: true })
    }
  })

  it('gives an example of every parameter and body', async () => {
    for (const [operation, { parameters = [], requestBody }] of operations(await documentOf(name))) {
      const missing = [...parameters.filter((parameter) => parameter.example === undefined), ...Object.values(requestBody?.content ?? {}).filter((media) => media.example === undefined)]
      expect({ operation, missing }).toEqual({ operation, missing: [] })
    }
  })

  it('lists under each status only codes docs/errors.md gives that status', async () => {
    const codes = documentedCodes()
    for (const [operation, { responses }] of operations(await documentOf(name))) {
      for (const [status, answer] of Object.entries(responses)) {
        for (const code of answer.content?.['application/problem+json']?.schema?.properties?.code?.enum ?? []) {
          expect({ operation, code, status: codes.get(code) }).toEqual({ operation, code, status: Number(status) })
        }
      }
    }
  })
})

describe('the BFF\'s document', () => {
  it('keeps every path it had, with health, metrics and the pages besides', async () => {
    const paths = Object.keys((await documentOf('bff')).paths as Paths)
    expect(paths).toEqual(expect.arrayContaining([...BFF_PATHS, '/ops/traces', '/health/live', '/health/ready', '/metrics', '/', '/ops', '/assets/{file}']))
  })

  it('gives the pages their API types: the generated declarations are what its committed document gives', async () => {
    const committed = JSON.parse(readFileSync(documentUrl('bff'), 'utf8')) as Record<string, unknown>
    expect(readFileSync(PAGE_TYPES_URL, 'utf8')).toBe(await pageTypesOf(committed))
  })
})
