/**
 * `npm run openapi`: writes the OpenAPI document of each service and the BFF to
 * `docs/openapi/<name>.json`, generated from the routes' schemas. Run it after changing a route;
 * `services/test/openapi.test.ts` fails while a committed document differs from what its app generates.
 */
import { writeFile } from 'node:fs/promises'

import { DOCUMENTED_APPS, documentText, documentUrl, generateDocument } from '../services/test/openapi/documents.js'

for (const name of DOCUMENTED_APPS) {
  const document = await generateDocument(name)
  await writeFile(documentUrl(name), documentText(document))
  console.log(`docs/openapi/${name}.json: ${Object.keys(document.paths as object).length} paths`)
}
