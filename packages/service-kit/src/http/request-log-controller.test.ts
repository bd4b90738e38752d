import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { testBaseEnv } from '../testing/test-env.js'
import { createServiceApp } from './create-service-app.js'

/** One pino line, as much of it as these tests read. */
interface LogLine {
  readonly level: number
  readonly msg: string
  readonly req?: { readonly url: string }
}

const INFO = 30
const DEBUG = 20

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A service logging at `logLevel` into the returned array, with one ordinary route, `/things`. */
function serviceLoggingAt(logLevel: 'info' | 'debug'): { app: FastifyInstance; lines: LogLine[] } {
  const env = testBaseEnv(8999, { LOG_LEVEL: logLevel })
  const lines: LogLine[] = []
  const stream = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) }
  const app = createServiceApp({ service: 'demo', env, logger: { level: env.LOG_LEVEL, stream }, processMetrics: false, requireServiceToken: false })
  app.get('/things', () => ({ ok: true }))
  apps.push(app)
  return { app, lines }
}

/** The request lines, as `level message`. */
function requestLines(lines: readonly LogLine[]): string[] {
  return lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed').map((line) => `${line.level} ${line.msg}`)
}

describe('request logs', () => {
  it.each(['/health/live', '/health/ready', '/metrics'])('writes no line for GET %s at LOG_LEVEL=info', async (url) => {
    const { app, lines } = serviceLoggingAt('info')
    const response = await app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(200)
    expect(lines).toEqual([])
  })

  it('writes no line for HEAD /health/live at LOG_LEVEL=info', async () => {
    const { app, lines } = serviceLoggingAt('info')
    const response = await app.inject({ method: 'HEAD', url: '/health/live' })
    expect(response.statusCode).toBe(200)
    expect(lines).toEqual([])
  })

  it('writes both request lines at info for an ordinary route', async () => {
    const { app, lines } = serviceLoggingAt('info')
    await app.inject({ method: 'GET', url: '/things' })
    expect(requestLines(lines)).toEqual([`${INFO} incoming request`, `${INFO} request completed`])
    expect(lines[0]?.req?.url).toBe('/things')
  })

  it('writes the health check\'s request lines at debug at LOG_LEVEL=debug', async () => {
    const { app, lines } = serviceLoggingAt('debug')
    await app.inject({ method: 'GET', url: '/health/live' })
    expect(requestLines(lines)).toEqual([`${DEBUG} incoming request`, `${DEBUG} request completed`])
    expect(lines[0]?.req?.url).toBe('/health/live')
  })

  it('keeps an ordinary route at info at LOG_LEVEL=debug', async () => {
    const { app, lines } = serviceLoggingAt('debug')
    await app.inject({ method: 'GET', url: '/things' })
    expect(requestLines(lines)).toEqual([`${INFO} incoming request`, `${INFO} request completed`])
  })

  it('keeps a request to an unknown route at info', async () => {
    const { app, lines } = serviceLoggingAt('info')
    const response = await app.inject({ method: 'GET', url: '/nowhere' })
    expect(response.statusCode).toBe(404)
    expect(requestLines(lines)).toContain(`${INFO} incoming request`)
  })
})
