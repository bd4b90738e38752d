import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { bffPerTest } from '../helper.js'

const start = bffPerTest()

const builtFile = (path: string): Buffer => readFileSync(new URL(`../../${path}`, import.meta.url))

describe('the pages and their assets', () => {
  it.each([
    ['/', 'web/static/storefront.html', 'text/html; charset=utf-8'],
    ['/ops', 'web/static/ops.html', 'text/html; charset=utf-8'],
    ['/assets/styles.css', 'web/static/styles.css', 'text/css; charset=utf-8'],
    ['/assets/api.js', 'dist/web/api.js', 'text/javascript; charset=utf-8'],
    ['/assets/storefront.js', 'dist/web/storefront.js', 'text/javascript; charset=utf-8'],
    ['/assets/product-list.js', 'dist/web/product-list.js', 'text/javascript; charset=utf-8'],
    ['/assets/degraded-notice.js', 'dist/web/degraded-notice.js', 'text/javascript; charset=utf-8'],
    ['/assets/ops.js', 'dist/web/ops.js', 'text/javascript; charset=utf-8'],
  ])('serve GET %s: the file %s as %s, to be revalidated on every use', async (url, path, type) => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe(type)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.headers.etag).toMatch(/^(W\/)?"[^"]+"$/)
    expect(response.rawPayload.equals(builtFile(path))).toBe(true)
  })

  it('answers a revalidation with a matching ETag 304, without a body, still no-cache', async () => {
    const bff = await start()
    const first = await bff.app.inject({ method: 'GET', url: '/assets/styles.css' })
    const again = await bff.app.inject({ method: 'GET', url: '/assets/styles.css', headers: { 'if-none-match': String(first.headers.etag) } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers.etag).toBe(first.headers.etag)
    expect(again.headers['cache-control']).toBe('no-cache')
    expect(again.headers['content-type']).toBeUndefined()
    const changed = await bff.app.inject({ method: 'GET', url: '/assets/styles.css', headers: { 'if-none-match': '"something-else"' } })
    expect(changed.statusCode).toBe(200)
  })

  it('answers HEAD with the headers of GET and no body', async () => {
    const bff = await start()
    const head = await bff.app.inject({ method: 'HEAD', url: '/' })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(Number(head.headers['content-length'])).toBe(builtFile('web/static/storefront.html').length)
    expect(head.body).toBe('')
  })

  it.each([
    '/assets/nothing.js',
    '/assets/storefront.html',
    '/assets/api.d.ts',
    '/assets/api.js.map',
    '/assets/',
    '/assets/..%2Fpackage.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%2e%2e%2fpackage.json',
    '/assets/..%5Cpackage.json',
    '/assets/.%2Fstyles.css',
    '/assets/styles.css%00.js',
    '/docs/static/..%2Fpackage.json',
    '/docs/static/..%2F..%2F..%2Fpackage.json',
    '/docs/static/%2e%2e%2f%2e%2e%2fpackage.json',
    '/docs/static/nothing.js',
  ])('answers GET %s with the 404 problem: only the listed files are served, no folder is listed', async (url) => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(response.json()).toMatchObject({ status: 404, code: 'SVC_ERR_NOT_FOUND' })
  })

  it('clears a signed_in hint left without a session on GET /, so the page does not ask /auth/me for a 401', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/', cookies: { signed_in: '1' } })
    expect(response.statusCode).toBe(200)
    const cleared = response.cookies.filter((cookie) => cookie.value === '').map((cookie) => cookie.name).sort()
    expect(cleared).toEqual(['session', 'signed_in'])
  })

  it('clears a session cookie this BFF refuses on GET /, with its hint', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/', cookies: { session: 'not-a-token', signed_in: '1' } })
    expect(response.statusCode).toBe(200)
    const cleared = response.cookies.filter((cookie) => cookie.value === '').map((cookie) => cookie.name).sort()
    expect(cleared).toEqual(['session', 'signed_in'])
  })

  it('leaves a live session and its hint alone on GET /, and an anonymous visit without cookies', async () => {
    const bff = await start()
    const login = await bff.app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 2 } })
    const cookies = Object.fromEntries(login.cookies.map((cookie) => [cookie.name, cookie.value]))
    expect(Object.keys(cookies).sort()).toEqual(['session', 'signed_in'])
    const signedIn = await bff.app.inject({ method: 'GET', url: '/', cookies })
    expect(signedIn.headers['set-cookie']).toBeUndefined()
    const anonymous = await bff.app.inject({ method: 'GET', url: '/' })
    expect(anonymous.headers['set-cookie']).toBeUndefined()
  })
})
