import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'

import { type DescribeRoute, type DocumentedRoute, type ServiceFacts, addRouteDocs, documentedSchema, kitAnswers } from './document-route.js'
import { shareResponseHeaders } from './response-headers.js'

/** The OpenAPI document's description of a service: what {@link registerOpenApi} needs beyond its routes. */
export interface OpenApiOptions {
  /** The document's title; defaults to `Storefront <service>`. */
  readonly title?: string
  /** What the service is for, in a sentence or two. */
  readonly description?: string
  /** The API's version. Defaults to `0.1.0`. */
  readonly version?: string
  /**
   * Security schemes besides the service token (`serviceToken`), e.g. a session cookie. Typed by
   * `@fastify/swagger`, whose import also gives every service's route schemas `summary` and `tags`.
   */
  readonly securitySchemes?: SecuritySchemes
  /**
   * Whether the kit serves the document at `GET /docs/json` (behind the service token, like every
   * route of a service). Defaults to true; the BFF says false: its Swagger UI serves it at the same path.
   */
  readonly serveJson?: boolean
  /** Adds what the service's own plugins answer on a route (sign-in, rate limit, …). */
  readonly describeRoute?: DescribeRoute
}

type SecuritySchemes = NonNullable<NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes']>

/** The name of the service token's security scheme in every document. */
export const SERVICE_TOKEN_SCHEME = 'serviceToken'

/**
 * Registers `@fastify/swagger` for a service, before any route, so that every route (the kit's
 * health and metrics included) is in its OpenAPI 3.0 document. Each operation lists every status
 * the route can answer: the kit works out what its plugins answer (see `kitAnswers`), the
 * service's `describeRoute` adds its own plugins', and the route's `config.docs` its own errors,
 * headers and examples. All of it is added to a copy of the route's schema made for the document,
 * so that documenting an answer never changes how it is validated or serialized.
 */
export function registerOpenApi(app: FastifyInstance, service: string, facts: Omit<ServiceFacts, 'serviceTokenScheme'>, options: OpenApiOptions = {}): void {
  const serviceFacts: ServiceFacts = { ...facts, serviceTokenScheme: SERVICE_TOKEN_SCHEME }
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: options.title ?? `Storefront ${service}`,
        version: options.version ?? '0.1.0',
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      components: {
        securitySchemes: {
          [SERVICE_TOKEN_SCHEME]: { type: 'http', scheme: 'bearer', description: 'The shared service token: `authorization: Bearer <SERVICE_TOKEN>`.' },
          ...options.securitySchemes,
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const documented: DocumentedRoute = { method: route.method, url: route.url, config: route.config, schema: schema as Record<string, unknown> | undefined }
      const answers = kitAnswers(documented, serviceFacts)
      options.describeRoute?.(documented, answers)
      addRouteDocs(answers, route.config?.docs ?? {})
      return { schema: documentedSchema(documented, answers), url }
    },
    transformObject: (document) => ('openapiObject' in document ? shareResponseHeaders(document.openapiObject) : document.swaggerObject),
  })
  if (options.serveJson !== false) {
    app.after(() => {
      app.get('/docs/json', {
        config: {
          requestLogLevel: 'debug',
          docs: {
            database: false,
            body: { schema: { type: 'object', description: 'This OpenAPI 3.0 document.', additionalProperties: true } },
            response: { openapi: '3.0.3', info: { title: `Storefront ${service}`, version: '0.1.0' }, paths: {} },
          },
        },
        schema: { summary: 'This service\'s OpenAPI document', tags: ['docs'] },
      }, () => app.swagger())
    })
  }
}
