import { describe, expect, it } from 'vitest'

import { checkDockerfile } from '../checks/dockerfile-check.js'
import { replaceOnce, repositoryFile } from './helpers.js'

const dockerfile = repositoryFile('Dockerfile')

describe('the Dockerfile', () => {
  it('holds the image rules', () => {
    expect(checkDockerfile(dockerfile)).toEqual([])
  })

  it('fails a final stage that runs as root, or as a user by name', () => {
    expect(checkDockerfile(replaceOnce(dockerfile, 'USER 10001:10001', 'USER 0'))).toEqual(["the final stage's USER 0 is not a numeric user other than root"])
    expect(checkDockerfile(replaceOnce(dockerfile, 'USER 10001:10001', 'USER storefront'))).toEqual(["the final stage's USER storefront is not a numeric user other than root"])
    expect(checkDockerfile(replaceOnce(dockerfile, 'USER 10001:10001\n', ''))).toEqual(['the final stage runs as root: it has no USER'])
  })

  it('fails a final stage without a HEALTHCHECK, or started without tini', () => {
    expect(checkDockerfile(replaceOnce(dockerfile, /^HEALTHCHECK .*\n/m, ''))).toEqual(['the final stage has no HEALTHCHECK CMD'])
    expect(checkDockerfile(replaceOnce(dockerfile, '"/usr/bin/tini", "--", ', ''))).toEqual(['the final stage does not start through tini (ENTRYPOINT ["/usr/bin/tini", "--", …])'])
  })

  it('fails a base image on latest, without a tag, or without a pinned Node.js minor', () => {
    expect(checkDockerfile(replaceOnce(dockerfile, 'ARG NODE_IMAGE=node:24.21-bookworm-slim', 'ARG NODE_IMAGE=node:latest'))).toEqual([
      'build: base image node:latest is not pinned to a tag other than latest',
      'deps: base image node:latest is not pinned to a tag other than latest',
      'runtime: base image node:latest is not pinned to a tag other than latest',
    ])
    expect(checkDockerfile(replaceOnce(dockerfile, 'FROM ${NODE_IMAGE} AS deps', 'FROM node AS deps'))).toEqual([
      'deps: base image node is not pinned to a tag other than latest',
    ])
    expect(checkDockerfile(replaceOnce(dockerfile, 'FROM ${NODE_IMAGE} AS runtime', 'FROM node:24-bookworm-slim AS runtime'))).toEqual([
      'runtime: base image node:24-bookworm-slim is not Node.js 24 slim pinned to a minor release',
    ])
  })

  it('fails a final stage that ships dev dependencies', () => {
    expect(checkDockerfile(replaceOnce(dockerfile, 'COPY --from=deps /app/node_modules', 'COPY --from=build /src/node_modules'))).toEqual([
      'the final stage copies node_modules from build that did not install production dependencies only',
    ])
    expect(checkDockerfile(replaceOnce(dockerfile, 'npm ci --omit=dev --omit=optional', 'npm ci'))).toEqual([
      'the final stage copies node_modules from deps that did not install production dependencies only',
    ])
  })
})
