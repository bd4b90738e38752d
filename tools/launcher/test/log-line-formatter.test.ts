import { describe, expect, it } from 'vitest'

import { createLogLineFormatter } from '../src/log-line-formatter.js'

const TIME = new Date(2025, 0, 2, 13, 4, 5, 678).getTime()

/** A line as the services write it (pino, with the kit's `service` base field). */
function pinoLine(fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 30, time: TIME, service: 'bff', ...fields })
}

const incoming = pinoLine({ reqId: 'r-1', req: { method: 'GET', url: '/products/all', host: '127.0.0.1:9000', remoteAddress: '127.0.0.1', remotePort: 50_000 }, msg: 'incoming request' })
const completed = pinoLine({ reqId: 'r-1', res: { statusCode: 200 }, responseTime: 3.14159, msg: 'request completed' })

describe('createLogLineFormatter, pretty', () => {
  const format = createLogLineFormatter({ pretty: true, colour: false })

  it('shows an incoming request as time, level, message, method, url and request id on one line', () => {
    expect(format(incoming)).toBe('[13:04:05.678] INFO: incoming request GET /products/all reqId=r-1')
  })

  it('shows a completed request with its status and response time', () => {
    expect(format(completed)).toBe('[13:04:05.678] INFO: request completed 200 in 3.1 ms reqId=r-1')
  })

  it('names the level and keeps other fields after the message, as one line of JSON', () => {
    const shown = format(pinoLine({ level: 40, downstream: 'products', faults: { error_rate: 1 }, msg: 'fault injection changed' }))
    expect(shown).toBe('[13:04:05.678] WARN: fault injection changed {"downstream":"products","faults":{"error_rate":1}}')
  })

  it('shows an error\'s stack on the lines below', () => {
    const shown = format(pinoLine({ level: 50, err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at run (x.js:1:1)' }, msg: 'call failed' }))
    const [first, ...rest] = shown.split('\n')
    expect(first).toBe('[13:04:05.678] ERROR: call failed')
    expect(rest.join('\n')).toContain('at run (x.js:1:1)')
  })

  it('passes a line that is not JSON through unchanged', () => {
    expect(format('Server listening at http://127.0.0.1:9000')).toBe('Server listening at http://127.0.0.1:9000')
    expect(format('{ not json')).toBe('{ not json')
  })

  it('passes JSON that is not a pino line through unchanged', () => {
    expect(format('{"status":"ok"}')).toBe('{"status":"ok"}')
  })

  it('colours only when asked', () => {
    expect(format(incoming)).not.toContain('\u001b[')
    expect(createLogLineFormatter({ pretty: true, colour: true })(incoming)).toContain('\u001b[')
  })
})

describe('createLogLineFormatter, raw', () => {
  it('passes every line through unchanged', () => {
    const format = createLogLineFormatter({ pretty: false, colour: true })
    expect(format(incoming)).toBe(incoming)
    expect(format('not json')).toBe('not json')
  })
})
