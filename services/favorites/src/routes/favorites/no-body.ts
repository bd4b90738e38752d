import { AppError } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'

import { favoritesErrors } from '../../errors.js'

/**
 * Makes every route of `scope` (an encapsulated plugin) take no body, whatever the content type:
 * an empty body is ignored (clients often send `content-type: application/json` with nothing), a
 * non-empty one is a 400, and one over `BODY_LIMIT_BYTES` a 413.
 *
 * Fastify's own parsers would decide by content type instead: `{}` as JSON would pass unnoticed,
 * an empty JSON body would be a 400 and `application/xml` a 415. One catch-all parser that reads
 * the raw bytes gives one rule; reading them (rather than trusting `content-length`) also covers
 * chunked bodies, and Fastify enforces the body limit while it reads. A malformed `content-type`
 * header is still refused by Fastify (415) before any parser runs.
 */
export function refuseBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined)
      return
    }
    done(new AppError(favoritesErrors.UNEXPECTED_BODY, `${request.method} of a favorite takes no body; this one has ${body.length} bytes.`), undefined)
  })
}
