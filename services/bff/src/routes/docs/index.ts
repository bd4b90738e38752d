import swaggerUi from '@fastify/swagger-ui'
import type { FastifyError, FastifyInstance } from 'fastify'

/**
 * `GET /docs` (Swagger UI), `GET /docs/json` (the OpenAPI 3 document, generated from the routes'
 * own schemas by `@fastify/swagger`, so it cannot drift from what is validated), `GET /docs/yaml`
 * and the UI's files under `/docs/static/`, all from `@fastify/swagger-ui`: the files come with the
 * package (no CDN: works offline), and the page loads them and its start-up script as files, so it
 * runs under the strict content security policy.
 */
export function docsRoutes(app: FastifyInstance): void {
  void app.register(async (scope) => {
    // The UI's file server refuses a path that leaves its folder with a 403; like any other file
    // this BFF does not have, it is a 404 here.
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_STATIC_FORBIDDEN_PATH') {
        reply.callNotFound()
      } else {
        app.errorHandler(error, request, reply)
      }
    })
    await scope.register(swaggerUi, {
      routePrefix: '/docs',
      // The plain layout, without the standalone top bar and its box to load any other document.
      uiConfig: { layout: 'BaseLayout' },
      theme: { title: 'Storefront BFF API' },
    })
  })
}
