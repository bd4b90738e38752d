import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** The package's root: three levels up from this file, in `src/` as in `dist/`. */
const packageRoot = new URL('../../../', import.meta.url)

/** The files the pages are made of: HTML and CSS as written, scripts as compiled from `web/src`. */
const FILES: Readonly<Record<string, { path: string; type: string }>> = {
  'storefront.html': { path: 'web/static/storefront.html', type: 'text/html; charset=utf-8' },
  'ops.html': { path: 'web/static/ops.html', type: 'text/html; charset=utf-8' },
  'styles.css': { path: 'web/static/styles.css', type: 'text/css; charset=utf-8' },
  'api.js': { path: 'dist/web/api.js', type: 'text/javascript; charset=utf-8' },
  'storefront.js': { path: 'dist/web/storefront.js', type: 'text/javascript; charset=utf-8' },
  'ops.js': { path: 'dist/web/ops.js', type: 'text/javascript; charset=utf-8' },
}

interface LoadedFile {
  readonly body: Buffer
  readonly etag: string
}

/**
 * `GET /` (the storefront), `GET /ops` (the operations dashboard) and `GET /assets/{file}`.
 *
 * A fixed list of files, read once and kept in memory, so no request path ever reaches the file
 * system. Each goes out with a strong ETag and `cache-control: no-cache`: the browser keeps it and
 * revalidates with a 304, so a new build shows at once without hashed file names.
 */
export function pageRoutes(app: FastifyInstance): void {
  const loaded = new Map<string, Promise<LoadedFile | undefined>>()
  const load = (name: string): Promise<LoadedFile | undefined> => {
    let file = loaded.get(name)
    if (file === undefined) {
      const entry = FILES[name]
      file = entry === undefined
        ? Promise.resolve(undefined)
        : readFile(fileURLToPath(new URL(entry.path, packageRoot))).then(
          (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
          // Not built yet (`npm run build` compiles the scripts): a 404 now, and a fresh look next time.
          () => {
            loaded.delete(name)
            return undefined
          },
        )
      loaded.set(name, file)
    }
    return file
  }
  const send = async (name: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const file = await load(name)
    if (file === undefined) {
      reply.callNotFound()
      return reply
    }
    void reply.header('etag', file.etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === file.etag) {
      return reply.code(304).send()
    }
    return reply.type(FILES[name]!.type).send(file.body)
  }
  const hidden = { hide: true }
  app.get('/', { schema: hidden }, (request, reply) => send('storefront.html', request, reply))
  app.get('/ops', { schema: hidden }, (request, reply) => send('ops.html', request, reply))
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: hidden }, (request, reply) => {
    const { file } = request.params
    return send(file.endsWith('.html') ? '' : file, request, reply)
  })
}
