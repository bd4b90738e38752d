import { fileURLToPath } from 'node:url'

import { defineConfig } from 'vitest/config'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `npm test` needs no build first. Longest prefix first.
    alias: [
      { find: /^@storefront\/service-kit\/testing$/, replacement: source('./packages/service-kit/src/testing/index.ts') },
      { find: /^@storefront\/service-kit$/, replacement: source('./packages/service-kit/src/index.ts') },
      { find: /^@storefront\/resilience$/, replacement: source('./packages/resilience/src/index.ts') },
    ],
  },
  test: {
    projects: [
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
        },
      },
      {
        extends: true,
        test: {
          // The engine comes from STOREFRONT_TEST_DB (pglite by default, or postgres); CI runs both.
          name: 'services',
          root: source('./services'),
          include: ['*/test/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
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
