import { readFileSync } from 'node:fs'

import { type ErrorDefinition, kitErrors } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { bffErrors } from '../bff/src/errors.js'
import { cartErrors } from '../cart/src/errors.js'
import { favoritesErrors } from '../favorites/src/errors.js'
import { inventoryErrors } from '../inventory/src/errors.js'
import { productsErrors } from '../products/src/errors.js'

const registries: Record<string, Record<string, ErrorDefinition>> = {
  'service-kit': kitErrors,
  products: productsErrors,
  inventory: inventoryErrors,
  favorites: favoritesErrors,
  cart: cartErrors,
  bff: bffErrors,
}

/** Rows of docs/errors.md: `| \`CODE\` | status | title | when |`. */
function documented(): Map<string, { status: number; title: string }> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map<string, { status: number; title: string }>()
  for (const match of text.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| ([^|]+?) \|/gm)) {
    rows.set(match[1]!, { status: Number(match[2]), title: match[3]! })
  }
  return rows
}

describe('docs/errors.md', () => {
  const docs = documented()
  const defined = Object.values(registries).flatMap((registry) => Object.values(registry))

  it('documents every code a service defines, with its status and title', () => {
    for (const definition of defined) {
      expect({ code: definition.code, row: docs.get(definition.code) }).toEqual({
        code: definition.code,
        row: { status: definition.statusCode, title: definition.title },
      })
    }
  })

  it('lists no code that no service defines', () => {
    const codes = new Set(defined.map((definition) => definition.code))
    expect([...docs.keys()].filter((code) => !codes.has(code))).toEqual([])
  })

  it('uses each code once, prefixed by its area', () => {
    const codes = defined.map((definition) => definition.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const [area, registry] of Object.entries(registries)) {
      const prefix = area === 'service-kit' ? 'SVC_ERR_' : `${area.toUpperCase()}_ERR_`
      for (const definition of Object.values(registry)) {
        expect(definition.code.startsWith(prefix)).toBe(true)
      }
    }
  })
})
