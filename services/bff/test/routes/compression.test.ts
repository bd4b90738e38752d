import { readFileSync } from 'node:fs'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'

import { describe, expect, it } from 'vitest'

import { bffPerTest } from '../helper.js'

const start = bffPerTest()

const builtFile = (path: string): Buffer => readFileSync(new URL(`../../${path}`, import.meta.url))

/** What a browser sends: Chromium's own list. */
const BROWSER = 'gzip, deflate, br, zstd'

const decode: Readonly<Record<string, (body: Buffer) => Buffer>> = { br: brotliDecompressSync, gzip: gunzipSync }

describe('compression', () => {
  it.each(['br', 'gzip'])('sends the API docs bundle (1.7 MB) as %s when asked, the same bytes once decoded, with vary: accept-encoding', async (encoding) => {
    const bff = await start()
    const url = '/docs/static/swagger-ui-bundle.js'
    const plain = await bff.app.inject({ method: 'GET', url })
    const packed = await bff.app.inject({ method: 'GET', url, headers: { 'accept-encoding': encoding } })
    expect(packed.statusCode).toBe(200)
    expect(packed.headers['content-encoding']).toBe(encoding)
    expect(packed.headers.vary).toMatch(/accept-encoding/i)
    expect(packed.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3)
    expect(decode[encoding]!(packed.rawPayload).equals(plain.rawPayload)).toBe(true)
    expect(plain.rawPayload.length).toBeGreaterThan(1_000_000)
  })

  it.each([
    ['/', 'web/static/storefront.html'],
    ['/assets/styles.css', 'web/static/styles.css'],
    ['/assets/storefront.js', 'dist/web/storefront.js'],
  ])('compresses the page file GET %s with br for a browser, the file\'s own bytes once decoded', async (url, path) => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url, headers: { 'accept-encoding': BROWSER } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers.vary).toMatch(/accept-encoding/i)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(brotliDecompressSync(response.rawPayload).equals(builtFile(path))).toBe(true)
  })

  it.each([undefined, 'identity', 'deflate'])('sends a file as it is to accept-encoding: %s', async (acceptEncoding) => {
    const bff = await start()
    const response = await bff.app.inject({
      method: 'GET',
      url: '/assets/storefront.js',
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    })
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(response.rawPayload.equals(builtFile('dist/web/storefront.js'))).toBe(true)
  })

  it('answers a revalidation with a bare 304 for a browser, nothing compressed', async () => {
    const bff = await start()
    const first = await bff.app.inject({ method: 'GET', url: '/assets/styles.css', headers: { 'accept-encoding': BROWSER } })
    const again = await bff.app.inject({
      method: 'GET',
      url: '/assets/styles.css',
      headers: { 'accept-encoding': BROWSER, 'if-none-match': String(first.headers.etag) },
    })
    expect(again.statusCode).toBe(304)
    expect(again.rawPayload.length).toBe(0)
    expect(again.headers['content-encoding']).toBeUndefined()
  })

  it('compresses a large JSON answer: GET /products/all with 300 products, the same document once decoded', async () => {
    const bff = await start()
    bff.fakes.productCount = 300
    const plain = await bff.app.inject({ method: 'GET', url: '/products/all' })
    const packed = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'accept-encoding': BROWSER } })
    expect(packed.statusCode).toBe(200)
    expect(packed.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(packed.headers['content-encoding']).toBe('br')
    expect(packed.headers.vary).toMatch(/accept-encoding/i)
    expect(JSON.parse(brotliDecompressSync(packed.rawPayload).toString())).toEqual(plain.json())
  })

  it('leaves a small JSON answer as it is: GET /products/all with 10 products is under the threshold', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'accept-encoding': BROWSER } })
    expect(response.statusCode).toBe(200)
    expect(response.rawPayload.length).toBeLessThan(1024)
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length)
    expect(response.json()).toMatchObject({ degraded: [] })
  })

  it('leaves a problem answer as it is', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/nowhere', headers: { 'accept-encoding': BROWSER } })
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(response.json()).toMatchObject({ status: 404 })
  })
})
