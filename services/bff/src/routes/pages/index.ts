import { fileURLToPath } from 'node:url'

import type { FastifyInstance } from 'fastify'

import { type StaticFile, staticFiles } from '../static-files.js'

/** The package's root: three levels up from this file, in `src/` as in `dist/`. */
const packageRoot = new URL('../../../', import.meta.url)

const file = (path: string, type: string): StaticFile => ({ path: fileURLToPath(new URL(path, packageRoot)), type })

/** The files the pages are made of: HTML and CSS as written, scripts as compiled from `web/src`. */
const FILES: Readonly<Record<string, StaticFile>> = {
  'storefront.html': file('web/static/storefront.html', 'text/html; charset=utf-8'),
  'ops.html': file('web/static/ops.html', 'text/html; charset=utf-8'),
  'styles.css': file('web/static/styles.css', 'text/css; charset=utf-8'),
  'api.js': file('dist/web/api.js', 'text/javascript; charset=utf-8'),
  'storefront.js': file('dist/web/storefront.js', 'text/javascript; charset=utf-8'),
  'ops.js': file('dist/web/ops.js', 'text/javascript; charset=utf-8'),
}

/** `GET /` (the storefront), `GET /ops` (the operations dashboard) and `GET /assets/{file}`. */
export function pageRoutes(app: FastifyInstance): void {
  const send = staticFiles(FILES)
  const hidden = { hide: true }
  app.get('/', { schema: hidden }, (request, reply) => send('storefront.html', request, reply))
  app.get('/ops', { schema: hidden }, (request, reply) => send('ops.html', request, reply))
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: hidden }, (request, reply) => {
    const { file: name } = request.params
    // The pages themselves are served at their own paths only.
    return send(name.endsWith('.html') ? '' : name, request, reply)
  })
}
