/**
 * `npm run openapi`: writes the OpenAPI document of each service and the BFF to
 * `docs/openapi/<name>.json`, generated from the routes' schemas, and the pages' API types from the
 * BFF's (`services/bff/web/src/generated/bff-api.d.ts`). Run it after changing a route;
 * `services/test/openapi.test.ts` fails while a committed document differs from what its app generates.
 */
import { writeFile } from 'node:fs/promises'

import { DOCUMENTED_APPS, documentText, documentUrl, generateDocument } from '../services/test/openapi/documents.js'
import { PAGE_TYPES_URL, pageTypesOf } from '../services/test/openapi/page-types.js'

for (const name of DOCUMENTED_APPS) {
  const document = await generateDocument(name)
  await writeFile(documentUrl(name), documentText(document))
  console.log(`docs/openapi/${name}.json: ${Object.keys(document.paths as object).length} paths`)
  if (name === 'bff') {
    await writeFile(PAGE_TYPES_URL, await pageTypesOf(document))
    console.log('services/bff/web/src/generated/bff-api.d.ts: the pages\' API types')
  }
}
