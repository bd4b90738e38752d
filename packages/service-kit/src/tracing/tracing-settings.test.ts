import { describe, expect, it } from 'vitest'

import { ConfigError } from '../config/env.js'
import { databaseMsFromServerTiming } from './database-time.js'
import { readTracingSettings } from './tracing-settings.js'

describe('readTracingSettings', () => {
  it('exports nothing without an endpoint, and names spans after the service', () => {
    expect(readTracingSettings({}, 'cart')).toEqual({ disabled: false, export: undefined, serviceName: 'cart' })
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_SERVICE_NAME: 'cart-eu' }, 'cart')).toEqual({ disabled: false, export: undefined, serviceName: 'cart-eu' })
  })

  it('exports over OTLP/HTTP in protobuf by default, in JSON when asked, with the batch settings given', () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'bff').export).toEqual({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', batch: {} })
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/otlp/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' }, 'bff').export)
      .toEqual({ url: 'https://collector/otlp/traces', protocol: 'http/json', batch: { scheduledDelayMillis: 100 } })
  })

  it('exports nothing with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true', () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, 'bff').export).toBeUndefined()
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, 'bff')).toMatchObject({ disabled: true, export: undefined })
  })

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'nope' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_BSP_MAX_QUEUE_SIZE: '0' }, 'OTEL_BSP_MAX_QUEUE_SIZE'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(() => readTracingSettings(env, 'bff')).toThrow(ConfigError)
    expect(() => readTracingSettings(env, 'bff')).toThrow(variable)
  })
})

describe('databaseMsFromServerTiming', () => {
  it('reads the db metric\'s duration among others, and nothing without one', () => {
    expect(databaseMsFromServerTiming('db;dur=12.5')).toBe(12.5)
    expect(databaseMsFromServerTiming('cache;desc="hit", db;desc="queries";dur=3')).toBe(3)
    expect(databaseMsFromServerTiming(['app;dur=1', 'db;dur=0.25'])).toBe(0.25)
    expect(databaseMsFromServerTiming('app;dur=1')).toBeUndefined()
    expect(databaseMsFromServerTiming(undefined)).toBeUndefined()
  })
})
