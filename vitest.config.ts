import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'

import { type TestProjectInlineConfiguration, defineConfig } from 'vitest/config'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

const pgUrl = new URL(process.env.STOREFRONT_TEST_PG_URL ?? 'postgres://storefront:storefront@127.0.0.1:5432/postgres')

/** True when something accepts connections where the PostgreSQL test server should be. */
function reachable(url: URL, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432), timeout: timeoutMs })
    const done = (result: boolean): void => {
      socket.destroy()
      resolve(result)
    }
    socket.once('connect', () => {
      done(true)
    })
    socket.once('timeout', () => {
      done(false)
    })
    socket.once('error', () => {
      done(false)
    })
  })
}

// The service tests run on an embedded PostgreSQL server the run starts itself, and again on a
// system PostgreSQL server when one is reachable (CI runs one, PostgreSQL 15, so 15 through 18 stay
// supported: STOREFRONT_TEST_REQUIRE_PG=1 makes its absence an error).
const withPostgres = await reachable(pgUrl, 500)
if (!withPostgres) {
  if (process.env.STOREFRONT_TEST_REQUIRE_PG === '1') {
    throw new Error(`No PostgreSQL server at ${pgUrl.host} (STOREFRONT_TEST_PG_URL), and STOREFRONT_TEST_REQUIRE_PG=1`)
  }
  // The config is read again by each project; say it once.
  if (process.env.STOREFRONT_PG_NOTICE_SHOWN !== '1') {
    process.env.STOREFRONT_PG_NOTICE_SHOWN = '1'
    console.warn(`[storefront] No PostgreSQL server at ${pgUrl.host}: the service tests run on the embedded server only. Start one (see README) or set STOREFRONT_TEST_PG_URL to run them on a system server too.`)
  }
}

const servicesProject = (engine: 'embedded' | 'postgres'): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name: engine === 'embedded' ? 'services' : 'services-postgres',
    root: source('./services'),
    include: ['*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The BFF owns no database: its tests need one run, not one per engine.
    exclude: engine === 'postgres' ? ['bff/**', 'test/**'] : ['bff/test/browser/**'],
    env: { STOREFRONT_TEST_DB: engine },
    ...(engine === 'embedded' ? { globalSetup: [source('./tools/test-support/embedded-postgres.ts')] } : {}),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `npm test` needs no build first. Longest prefix first.
    alias: [
      { find: /^@storefront\/service-kit\/testing$/, replacement: source('./packages/service-kit/src/testing/index.ts') },
      { find: /^@storefront\/service-kit\/clients$/, replacement: source('./packages/service-kit/src/clients/index.ts') },
      { find: /^@storefront\/service-kit\/embedded$/, replacement: source('./packages/service-kit/src/db/embedded/index.ts') },
      { find: /^@storefront\/service-kit\/processes$/, replacement: source('./packages/service-kit/src/processes/index.ts') },
      { find: /^@storefront\/service-kit$/, replacement: source('./packages/service-kit/src/index.ts') },
      { find: /^@storefront\/resilience$/, replacement: source('./packages/resilience/src/index.ts') },
      { find: /^@storefront\/contracts$/, replacement: source('./packages/contracts/src/index.ts') },
    ],
  },
  test: {
    // The contract-coverage check: every answer the tests see must be in its route's document.
    reporters: ['default', source('./tools/test-support/contract-coverage/contract-coverage-reporter.ts')],
    projects: [
      {
        extends: true,
        test: {
          name: 'contracts',
          root: source('./packages/contracts'),
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'resilience',
          root: source('./packages/resilience'),
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'service-kit',
          root: source('./packages/service-kit'),
          include: ['src/**/*.test.ts'],
          // The database layer's tests run on the embedded server, as the services' do.
          globalSetup: [source('./tools/test-support/embedded-postgres.ts')],
          env: { STOREFRONT_TEST_DB: 'embedded' },
        },
      },
      servicesProject('embedded'),
      ...(withPostgres ? [servicesProject('postgres')] : []),
      {
        extends: true,
        test: {
          name: 'test-support',
          root: source('./tools/test-support'),
          include: ['**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'launcher',
          root: source('./tools/launcher'),
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // The pages in real Chromium against a whole running system (needs `npm run build`).
          name: 'browser',
          root: source('./services/bff/test/browser'),
          include: ['**/*.browser.test.ts'],
          // Each file starts a whole system and a Chromium: two at once on a two-core machine
          // slow each other past the BFF's budgets and the tests' timeouts.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          // The image, compose.yaml and the Kubernetes overlays against their schemas and rules,
          // each rule also shown failing on a broken copy (kubectl renders the overlays).
          name: 'deploy',
          root: source('./deploy'),
          include: ['test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'examples',
          root: source('./examples'),
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
    ],
  },
})
