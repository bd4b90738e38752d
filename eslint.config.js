// The one lint-and-format tool: ESLint with type-aware typescript-eslint rules and @stylistic
// formatting rules (no Prettier), as fastify, undici and vitest do.
import stylistic from '@stylistic/eslint-plugin'
import importX from 'eslint-plugin-import-x'
import n from 'eslint-plugin-n'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    // generated/: written by tools (`npm run openapi`), checked against its source by a test instead.
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.data/**', '**/generated/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  ...tseslint.configs.strictTypeChecked,
  {
    files: ['**/*.ts', '**/*.js'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // One program over every TypeScript file, tests included (see tsconfig.tests.json).
        project: ['./tsconfig.tests.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@stylistic': stylistic, 'import-x': importX, n },
    rules: {
      // Async code: a forgotten await is the bug class that matters most here.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Non-null assertions are how noUncheckedIndexedAccess is answered in hot loops.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      // Abort reasons and rethrown errors are `unknown` by nature: passing them on unchanged is the point.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'n/prefer-node-protocol': 'error',
      'n/no-process-exit': 'error',
      // node: builtins, then packages (the workspaces' own included), then relative paths, each
      // group alphabetised and set apart by one blank line.
      'import-x/order': ['error', {
        groups: ['builtin', ['external', 'internal', 'unknown'], ['parent', 'sibling', 'index']],
        'newlines-between': 'always',
        alphabetize: { order: 'asc' },
      }],
      '@stylistic/indent': ['error', 2],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'never'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/member-delimiter-style': ['error', { multiline: { delimiter: 'none' } }],
    },
  },
  {
    // The pages' scripts run in the browser: their own program, with the DOM and without Node.js.
    files: ['services/bff/web/src/**/*.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { project: ['./services/bff/web/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // A route module is an async Fastify plugin (a `RoutePlugin`) whether or not it awaits
    // anything: declaring routes is synchronous, and Fastify waits for the plugin's promise.
    files: ['services/*/src/routes/*/index.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.test.ts', '**/test-support/**', '**/test/**'],
    rules: {
      // Tests poke at internals and build odd inputs on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-non-null-asserted-optional-chain': 'off',
    },
  },
)
