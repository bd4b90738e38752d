import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

import type { FastifyReply, FastifyRequest } from 'fastify'

/** A file a route may serve: where it is on disk, and its content type. */
export interface StaticFile {
  readonly path: string
  readonly type: string
}

interface LoadedFile {
  readonly body: Buffer
  readonly etag: string
}

/** Sends one of the files by name, or the 404 problem for a name that is not one of them. */
export type SendFile = (name: string, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>

/**
 * Serves a fixed set of files, so no request path ever reaches the file system. Each is read on
 * first use and kept in memory, and goes out with a strong ETag and `cache-control: no-cache`: the
 * browser keeps it and revalidates with a 304, so a new build shows at once without hashed names.
 * A file that cannot be read (not built yet) is a 404, and is looked for again next time.
 */
export function staticFiles(files: Readonly<Record<string, StaticFile>>): SendFile {
  const loaded = new Map<string, Promise<LoadedFile | undefined>>()
  const load = (name: string): Promise<LoadedFile | undefined> => {
    let file = loaded.get(name)
    if (file === undefined) {
      const entry = Object.hasOwn(files, name) ? files[name] : undefined
      file = entry === undefined
        ? Promise.resolve(undefined)
        : readFile(entry.path).then(
          (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
          () => {
            loaded.delete(name)
            return undefined
          },
        )
      if (entry !== undefined) {
        loaded.set(name, file)
      }
    }
    return file
  }
  return async (name, request, reply) => {
    const file = await load(name)
    if (file === undefined) {
      reply.callNotFound()
      return reply
    }
    void reply.header('etag', file.etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === file.etag) {
      return reply.code(304).send()
    }
    return reply.type(files[name]!.type).send(file.body)
  }
}
