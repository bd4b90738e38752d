import { fileURLToPath } from 'node:url'

import { defineConfig } from 'vitest/config'

const resilienceSource = fileURLToPath(new URL('./packages/resilience/src/index.ts', import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `npm test` needs no build first.
    alias: { '@storefront/resilience': resilienceSource },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'resilience',
          root: './packages/resilience',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'examples',
          root: './examples',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
    ],
  },
})
