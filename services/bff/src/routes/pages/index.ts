import { fileURLToPath } from 'node:url'

import { type RoutePlugin, kitErrors } from '@storefront/service-kit'
import type { FastifyPluginOptions } from 'fastify'
import { Type } from 'typebox'

import { clearSessionCookie, hasSignedInHint } from '../../auth/session-cookie.js'
import { type StaticFile, sendStaticFile } from '../../plugins/static-files.js'

/** The package's root: three levels up from this file, in `src/` as in `dist/`. */
const packageRoot = new URL('../../../', import.meta.url)

const WRITTEN = fileURLToPath(new URL('web/static/', packageRoot))
const COMPILED = fileURLToPath(new URL('dist/web/', packageRoot))

/** The files the pages are made of: HTML and CSS as written, scripts as compiled from `web/src`. */
const FILES: Readonly<Record<string, StaticFile>> = {
  'storefront.html': { root: WRITTEN, type: 'text/html; charset=utf-8' },
  'ops.html': { root: WRITTEN, type: 'text/html; charset=utf-8' },
  'styles.css': { root: WRITTEN, type: 'text/css; charset=utf-8' },
  'api.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'format.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'storefront.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'product-list.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'degraded-notice.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'ops.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'slow-pages.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'waterfall.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
  'trace-layout.js': { root: COMPILED, type: 'text/javascript; charset=utf-8' },
}

/**
 * `GET /` (the storefront), `GET /ops` (the operations dashboard) and `GET /assets/{file}`.
 *
 * The storefront asks `GET /auth/me` only when the `signed_in` hint cookie is there. A hint whose
 * session is gone (its cookie deleted, or a token this BFF no longer accepts: signed out by its
 * bearer token, or signed by a secret of an earlier run) would make that call answer 401, which
 * the browser logs as an error. So `GET /` looks at the session as the API does (the auth hook
 * clears a cookie it refuses, with its hint), and clears a hint left without a session, before
 * the page's script reads it.
 */
export const pageRoutes: RoutePlugin<FastifyPluginOptions> = async (app) => {
  const tags = ['pages']
  // A file not built yet is a 404, as is an asset that is not one of FILES.
  const html = (title: string) => ({
    docs: {
      security: [],
      notModified: true,
      headers: ['cache-control'] as const,
      errors: [kitErrors.NOT_FOUND],
      body: { schema: { type: 'string', description: title }, contentType: 'text/html; charset=utf-8' },
      response: '<!doctype html>…',
    },
  })
  const storefront = html('The storefront page')
  app.get('/', {
    // The session is read only to clear a hint left without one (with `set-cookie`).
    config: { auth: 'optional', docs: { ...storefront.docs, headers: ['cache-control', 'set-cookie'] as const } },
    schema: { summary: 'The storefront page (HTML)', tags },
  }, (request, reply) => {
    if (request.userId === undefined && hasSignedInHint(request)) {
      void clearSessionCookie(reply)
    }
    return sendStaticFile(reply, FILES, 'storefront.html')
  })
  app.get('/ops', { config: html('The operations dashboard'), schema: { summary: 'The operations dashboard (HTML); its data comes from /ops/* with the operator token', tags } }, (_request, reply) => sendStaticFile(reply, FILES, 'ops.html'))
  app.get('/assets/:file', {
    config: {
      docs: {
        security: [],
        notModified: true,
        headers: ['cache-control'],
        errors: [kitErrors.NOT_FOUND],
        body: { schema: { type: 'string', description: 'A script or style sheet of the pages.' }, contentType: 'text/javascript; charset=utf-8' },
        request: { params: { file: 'storefront.js' } },
        response: 'export …',
      },
    },
    schema: { summary: 'A script or style sheet of the pages (`text/javascript` or `text/css`)', tags, params: Type.Object({ file: Type.String() }) },
  }, (request, reply) => {
    const { file: name } = request.params
    // The pages themselves are served at their own paths only.
    return sendStaticFile(reply, FILES, name.endsWith('.html') ? '' : name)
  })
}
