import type { Database } from '@storefront/service-kit'
import { TEST_SERVICE_TOKEN } from '@storefront/service-kit/testing'

import { buildApp as buildBff } from '../../bff/src/app.js'
import { readBffEnv } from '../../bff/src/config.js'
import { buildApp as buildCart } from '../../cart/src/app.js'
import { readCartEnv } from '../../cart/src/config.js'
import { buildApp as buildFavorites } from '../../favorites/src/app.js'
import { readFavoritesEnv } from '../../favorites/src/config.js'
import { buildApp as buildInventory } from '../../inventory/src/app.js'
import { readInventoryEnv } from '../../inventory/src/config.js'
import { buildApp as buildProducts } from '../../products/src/app.js'
import { readProductsEnv } from '../../products/src/config.js'

/** The apps whose OpenAPI documents are committed under `docs/openapi/`. */
export const DOCUMENTED_APPS = ['products', 'inventory', 'favorites', 'cart', 'bff'] as const

/** One of {@link DOCUMENTED_APPS}. */
export type DocumentedApp = (typeof DOCUMENTED_APPS)[number]

/**
 * The environment every document is generated with, whatever the machine's own environment says,
 * so that the same sources always give the same documents: the defaults, with every route that
 * `npm start` offers (demo sign-in, so the BFF has `POST /auth/login`; fault control, so each
 * service has `GET` and `PUT /ops/faults`).
 */
const ENV: Readonly<Record<string, string>> = { SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', AUTH_MODE: 'demo', FAULT_CONTROL: 'true' }

/** A database that is never reached: building an app and generating its document run no query. */
const NO_DATABASE: Database = {
  query: () => Promise.reject(new Error('no database while generating a document')),
  exec: () => Promise.reject(new Error('no database while generating a document')),
  transaction: () => Promise.reject(new Error('no database while generating a document')),
  ping: () => Promise.reject(new Error('no database while generating a document')),
  stats: { active: 0, waiting: 0 },
  close: () => Promise.resolve(),
}

function build(name: DocumentedApp): ReturnType<typeof buildProducts> {
  const deps = { db: NO_DATABASE, logger: false } as const
  switch (name) {
    case 'products': return buildProducts(readProductsEnv(ENV), deps)
    case 'inventory': return buildInventory(readInventoryEnv(ENV), deps)
    case 'favorites': return buildFavorites(readFavoritesEnv(ENV), deps)
    case 'cart': return buildCart(readCartEnv(ENV), deps)
    case 'bff': return buildBff(readBffEnv(ENV), { logger: false })
  }
}

/** The OpenAPI document `name` generates now: the app is built and made ready, never listens, and is closed. */
export async function generateDocument(name: DocumentedApp): Promise<Record<string, unknown>> {
  const app = build(name)
  try {
    await app.ready()
    // A copy: the validator resolves references in place.
    return structuredClone(app.swagger() as unknown as Record<string, unknown>)
  } finally {
    await app.close()
  }
}

/** Where the committed document of `name` lives. */
export function documentUrl(name: DocumentedApp): URL {
  return new URL(`../../../docs/openapi/${name}.json`, import.meta.url)
}

/** The text a document is committed as. */
export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`
}
