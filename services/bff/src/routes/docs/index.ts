import { createRequire } from 'node:module'
import { dirname } from 'node:path'

import type { FastifyInstance } from 'fastify'

import { type StaticFile, sendStaticFile } from '../static-files.js'

const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** Swagger UI's files, served from the installed `swagger-ui-dist` package (no CDN: works offline). */
const ASSETS: Readonly<Record<string, StaticFile>> = {
  'swagger-ui.css': { root: distDir, type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { root: distDir, type: 'text/javascript; charset=utf-8' },
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Storefront BFF API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`

// A file rather than an inline script, so the page works under the strict content security policy.
const INIT = 'window.ui = SwaggerUIBundle({ url: \'/docs/json\', dom_id: \'#swagger-ui\', deepLinking: true })\n'

/**
 * `GET /docs` (Swagger UI), `GET /docs/json` (the OpenAPI 3 document, generated from the routes'
 * own schemas by `@fastify/swagger`, so it cannot drift from what is validated) and the UI's assets.
 */
export function docsRoutes(app: FastifyInstance): void {
  const hidden = { hide: true }
  app.get('/docs', { schema: hidden }, (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get('/docs/json', { schema: hidden }, () => app.swagger())
  app.get<{ Params: { file: string } }>('/docs/assets/:file', { schema: hidden }, (request, reply) => {
    if (request.params.file === 'init.js') {
      return reply.type('text/javascript; charset=utf-8').send(INIT)
    }
    return sendStaticFile(reply, ASSETS, request.params.file)
  })
}
