import type { FastifyStaticOptions } from '@fastify/static'
import type { FastifyReply } from 'fastify'

/** A file a route may send: the folder it is in, and its content type. */
export interface StaticFile {
  readonly root: string
  readonly type: string
}

/**
 * How `@fastify/static` is registered for the routes' files. It serves no folder by itself: each
 * route names the files it sends, so no other request path ever reaches the file system. A file
 * goes out with `cache-control: no-cache` and validators (a weak ETag of size and modification
 * time, and Last-Modified): the browser keeps it and revalidates with a 304, so a new build shows
 * at once without hashed names.
 */
export const staticFileOptions: FastifyStaticOptions = {
  serve: false,
  // The routes give each file its type: mime calls JavaScript application/javascript, and
  // text/javascript is the type RFC 9239 names.
  contentType: false,
  cacheControl: false,
  setHeaders: (reply) => {
    void reply.header('cache-control', 'no-cache')
    if (reply.statusCode === 304) {
      // A 304 carries validators, not the body's metadata (RFC 9110, 15.4.5).
      reply.removeHeader('content-type')
    }
  },
}

/**
 * Sends `name` if it is one of `files`, else the 404 problem. A listed file that cannot be read
 * (not built yet) is a 404 too, and is looked for again on the next request.
 */
export function sendStaticFile(reply: FastifyReply, files: Readonly<Record<string, StaticFile>>, name: string): FastifyReply {
  const file = Object.hasOwn(files, name) ? files[name] : undefined
  if (file === undefined) {
    reply.callNotFound()
    return reply
  }
  return reply.type(file.type).sendFile(name, file.root)
}
