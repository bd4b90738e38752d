import { describe, expect, it } from 'vitest'

import { bffPerTest } from '../helper.js'

const start = bffPerTest()

describe('rate limit', () => {
  it('answers 429 with retry-after once a client passes RATE_LIMIT_PER_MINUTE, but never on health or metrics', async () => {
    const bff = await start({ RATE_LIMIT_PER_MINUTE: '5' })
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      statuses.push((await bff.app.inject({ method: 'GET', url: '/products/all' })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    const limited = await bff.app.inject({ method: 'GET', url: '/products/all' })
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(limited.json()).toMatchObject({ status: 429, code: 'BFF_ERR_RATE_LIMITED' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(bff.fakes.products.requests).toHaveLength(5)
    for (const url of ['/health/live', '/health/ready', '/metrics']) {
      expect((await bff.app.inject({ method: 'GET', url })).statusCode).toBe(200)
    }
  })

  it('counts each client address on its own', async () => {
    const bff = await start({ RATE_LIMIT_PER_MINUTE: '2' })
    const from = (remoteAddress: string) => bff.app.inject({ method: 'GET', url: '/products/all', remoteAddress })
    await from('10.0.0.1')
    await from('10.0.0.1')
    expect((await from('10.0.0.1')).statusCode).toBe(429)
    expect((await from('10.0.0.2')).statusCode).toBe(200)
  })

  it('is off with RATE_LIMIT_PER_MINUTE=0', async () => {
    const bff = await start({ RATE_LIMIT_PER_MINUTE: '0' })
    for (let i = 0; i < 5; i++) {
      expect((await bff.app.inject({ method: 'GET', url: '/auth/logout' })).statusCode).toBe(405)
    }
  })
})

/** The security headers of every answer: helmet's defaults, minus `upgrade-insecure-requests`. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

describe('security headers', () => {
  it('sends the usual protections on every answer, errors included', async () => {
    const bff = await start()
    for (const url of ['/products/all', '/nowhere']) {
      const response = await bff.app.inject({ method: 'GET', url })
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/)
      expect(response.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/)
      expect(response.headers['referrer-policy']).toBe('no-referrer')
      expect(response.headers['x-powered-by']).toBeUndefined()
    }
  })

  it.each(['/', '/ops', '/assets/styles.css', '/docs', '/docs/json', '/products/all', '/health/live', '/nowhere', '/products/all?unknown=1'])(
    'sends exactly the same security headers on GET %s',
    async (url) => {
      const bff = await start()
      const response = await bff.app.inject({ method: 'GET', url })
      const sent = Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, response.headers[name]]))
      expect(sent).toEqual(SECURITY_HEADERS)
    },
  )
})

describe('GET /docs', () => {
  it('serves Swagger UI, its files, and an OpenAPI document of the public routes at /docs/json', async () => {
    const bff = await start()
    const page = await bff.app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!)
    expect(scripts).toContain('/docs/static/swagger-ui-bundle.js')
    for (const url of scripts) {
      const script = await bff.app.inject({ method: 'GET', url })
      expect({ url, status: script.statusCode }).toEqual({ url, status: 200 })
      expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/)
    }
    const bundle = await bff.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    expect(bundle.body.length).toBeGreaterThan(100_000)
    const doc = (await bff.app.inject({ method: 'GET', url: '/docs/json' })).json()
    expect(doc.openapi).toMatch(/^3\./)
    for (const path of ['/products/all', '/auth/login', '/auth/logout', '/cart/items', '/cart/items/{product_id}', '/favorites/{product_id}']) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/docs'))).toEqual([])
  })

  it('tells the UI to load the document from /docs/json', async () => {
    const bff = await start()
    const page = await bff.app.inject({ method: 'GET', url: '/docs' })
    const initializer = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!).find((url) => url.includes('initializer'))
    const script = await bff.app.inject({ method: 'GET', url: initializer! })
    expect(script.body).toContain('resolveUrl(\'./json\')')
  })
})

describe('GET /metrics', () => {
  it('reports each downstream\'s calls by outcome, their latency and breaker state', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = () => ({ status: 500 })
    await bff.app.inject({ method: 'GET', url: '/products/all', headers: await bff.signIn(1) })
    const text = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(sample(text, 'bff_downstream_requests_total', { downstream: 'products', route: '/products', method: 'GET', outcome: 'ok' })).toBe(1)
    expect(sample(text, 'bff_downstream_requests_total', { downstream: 'inventory', route: '/inventory', method: 'GET', outcome: 'error' })).toBe(1)
    expect(sample(text, 'bff_downstream_request_duration_seconds_count', { downstream: 'cart', route: '/users/:id/cart', outcome: 'ok' })).toBe(1)
    expect(sample(text, 'bff_downstream_breaker_state', { downstream: 'products' })).toBe(0)
    expect(sample(text, 'http_requests_total', { route: '/products/all', status: '200' })).toBe(1)
  })
})

/** The value of the one series of `name` whose labels include `labels`, whatever their order. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) {
      continue
    }
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'))
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return undefined
}
