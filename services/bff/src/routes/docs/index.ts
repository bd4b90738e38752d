import swaggerUi from '@fastify/swagger-ui'
import type { RoutePlugin } from '@storefront/service-kit'
import type { FastifyError, FastifyPluginOptions } from 'fastify'

/**
 * `GET /docs` (Swagger UI), `GET /docs/json` (the OpenAPI 3 document, generated from the routes'
 * own schemas by `@fastify/swagger`, so it cannot drift from what is validated), `GET /docs/yaml`
 * and the UI's files under `/docs/static/`, all from `@fastify/swagger-ui`: the files come with the
 * package (no CDN: works offline), and the page loads them and its start-up script as files, so it
 * runs under the strict content security policy.
 */
export const docsRoutes: RoutePlugin<FastifyPluginOptions> = async (app) => {
  // The UI's file server refuses a path that leaves its folder with a 403; like any other file
  // this BFF does not have, it is a 404 here. Anything else goes to the handler of the app.
  const appErrorHandler = app.errorHandler
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_STATIC_FORBIDDEN_PATH') {
      reply.callNotFound()
    } else {
      appErrorHandler(error, request, reply)
    }
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The plain layout, without the standalone top bar and its box to load any other document.
    uiConfig: { layout: 'BaseLayout' },
    theme: { title: 'Storefront BFF API' },
  })
}
