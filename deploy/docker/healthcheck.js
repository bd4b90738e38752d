// The image's HEALTHCHECK: exits 0 when this container's process answers 200 on /health/live
// within 2 s, else 1. Plain node:http, so the image needs no curl; a fresh agent, so no kept-alive
// socket holds the check open after the answer.
import { get } from 'node:http'

import { SERVICE_PORTS } from './service-ports.js'

const port = Number(process.env.PORT ?? SERVICE_PORTS[process.env.SERVICE ?? ''])

if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('healthcheck: no PORT, and SERVICE names no known process\n')
  process.exitCode = 1
} else {
  const request = get({ host: '127.0.0.1', port, path: '/health/live', agent: false, timeout: 2000 }, (response) => {
    response.resume()
    process.exitCode = response.statusCode === 200 ? 0 : 1
  })
  request.on('timeout', () => {
    request.destroy(new Error('no answer within 2000 ms'))
  })
  request.on('error', (error) => {
    process.stderr.write(`healthcheck: ${error.message}\n`)
    process.exitCode = 1
  })
}
