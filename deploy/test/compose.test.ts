import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

import { checkCompose } from '../checks/compose-check.js'
import { replaceOnce, repositoryFile } from './helpers.js'

const compose = repositoryFile('compose.yaml')
const envExample = repositoryFile('deploy/compose/.env.example')

describe('compose.yaml', () => {
  it('holds the Compose specification and the rules', () => {
    expect(checkCompose(compose, envExample)).toEqual([])
  })

  it('runs inventory twice, and the BFF asks both origins and publishes 9000', () => {
    const services = (parse(compose, { merge: true }) as { services: Record<string, { environment?: Record<string, string>; ports?: string[] }> }).services
    expect(services['inventory-1']?.environment?.SERVICE).toBe('inventory')
    expect(services['inventory-2']?.environment?.SERVICE).toBe('inventory')
    expect(services.bff?.environment?.INVENTORY_URL).toBe('http://inventory-1:8001,http://inventory-2:8001')
    expect(services.bff?.environment?.RATE_LIMIT_REDIS_URL).toBe('redis://redis:6379')
    expect(services.bff?.ports).toEqual(['127.0.0.1:9000:9000'])
  })

  it('passes OTEL_EXPORTER_OTLP_ENDPOINT from .env to every Storefront container, empty unless .env sets it', () => {
    const services = (parse(compose, { merge: true }) as { services: Record<string, { build?: unknown; environment?: Record<string, string> }> }).services
    const storefront = Object.entries(services).filter(([, service]) => service.build !== undefined)
    expect(storefront.map(([name]) => name).sort()).toEqual(['bff', 'cart', 'favorites', 'inventory-1', 'inventory-2', 'products'])
    for (const [, service] of storefront) {
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}')
    }
    expect(envExample).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT=$/m)
    expect(envExample).toContain('http://otel-collector:4318')
  })

  it("has the tracing profile's collector take OTLP over HTTP on every address and hand every trace to Jaeger", () => {
    const config = parse(repositoryFile('deploy/compose/otel-collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } }
      processors: Record<string, unknown>
      exporters: Record<string, { endpoint: string }>
      service: { pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } } }
    }
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318')
    const { traces } = config.service.pipelines
    expect(traces.receivers).toContain('otlp')
    expect(traces.processors.every((name) => name in config.processors)).toBe(true)
    expect(traces.exporters.map((name) => config.exporters[name]?.endpoint)).toEqual(['jaeger:4317'])
  })

  it('fails a key the Compose specification does not have', () => {
    const broken = replaceOnce(compose, '    command: ["redis-server"', '    restart_policy: always\n    command: ["redis-server"')
    expect(checkCompose(broken, envExample)).toEqual(['compose.yaml/services/redis must NOT have additional properties (restart_policy)'])
  })

  it('fails an unpinned image, a missing health check and a dependency started before it is healthy', () => {
    let broken = replaceOnce(compose, 'image: redis:8.2-alpine', 'image: redis:latest')
    broken = replaceOnce(broken, /\n {4}healthcheck:\n {6}test: \["CMD", "redis-cli", "ping"\]\n( {6}.*\n)*?(?= {4}restart)/, '\n')
    broken = replaceOnce(broken, '      postgres:\n        condition: service_healthy\n\n  # Two', '      postgres:\n        condition: service_started\n\n  # Two')
    expect(checkCompose(broken, envExample)).toEqual([
      'service redis runs an image not pinned to a tag or digest (redis:latest)',
      'service redis has no health check',
      'service products starts before postgres is healthy (condition: service_started)',
    ])
  })

  it('fails a Storefront container with a writable root filesystem or capabilities', () => {
    const broken = replaceOnce(replaceOnce(compose, '  read_only: true\n', ''), '  cap_drop:\n    - ALL\n', '')
    const problems = checkCompose(broken, envExample)
    expect(problems).toContain('service bff has a writable root filesystem (read_only: true)')
    expect(problems).toContain('service cart keeps capabilities (cap_drop: [ALL])')
    expect(problems).toHaveLength(12)
  })

  it('fails a secret written in the file, and a variable .env.example does not list', () => {
    const broken = replaceOnce(compose, 'OPS_TOKEN: ${OPS_TOKEN:?set OPS_TOKEN in .env}', `OPS_TOKEN: ${'f'.repeat(40)}`)
    expect(checkCompose(broken, envExample)).toEqual([
      'service bff writes OPS_TOKEN in the file; take it from .env as ${OPS_TOKEN}',
      'OPS_TOKEN is listed in deploy/compose/.env.example but compose.yaml does not use it',
    ])
    const unlisted = replaceOnce(compose, '${OTEL_EXPORTER_OTLP_ENDPOINT:-}\n    depends_on:\n      postgres:\n        condition: service_healthy\n\n  # Two',
      '${OTEL_EXPORTER_OTLP_ENDPOINT:-}\n      LOG_LEVEL: ${LOG_LEVEL:-info}\n    depends_on:\n      postgres:\n        condition: service_healthy\n\n  # Two')
    expect(checkCompose(unlisted, envExample)).toEqual(['LOG_LEVEL is used in compose.yaml but not listed in deploy/compose/.env.example'])
  })
})
