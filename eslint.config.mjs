// Lint rules that enforce ramp's architecture (DESIGN.md, "Dependency direction").
// The workflow sandbox is the important part: workflows/ and src/domain/ are bundled into
// Temporal's deterministic V8 isolate, where Node built-ins and I/O libraries cannot run.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioLibraries = [
  '@kubernetes/client-node',
  'simple-git',
  'axios',
  'prom-client',
  'yaml',
  'zod',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];
const sandboxMessage =
  "Workflow and domain code runs in Temporal's deterministic sandbox: no Node built-ins or I/O libraries. Move this into activities/ or src/providers/.";

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'dist/**', 'bench/results/**', '.scratch/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': 'error',
      'import-x/no-unassigned-import': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/domain',
              from: ['./src/providers', './src/manifests', './activities', './workflows', './worker', './cli'],
              message: 'src/domain is pure: it imports nothing above it (types from src/schema only).',
            },
            { target: './workflows', from: ['./worker', './cli', './src/providers'], message: 'Workflows may not import the worker, the CLI or providers.' },
            { target: './activities', from: ['./workflows', './worker', './cli'], message: 'Activities may not import workflows, the worker or the CLI.' },
            {
              target: './cli',
              from: ['./activities', './worker', './src/providers'],
              message: 'The CLI talks to Temporal; it never imports activities or providers.',
            },
          ],
        },
      ],
    },
  },
  {
    // The sandbox boundary (STYLE.md habit 6).
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioLibraries].map((name) => ({ name, message: sandboxMessage })),
          patterns: [
            {
              group: ['**/activities/*', '**/activities'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only: `import type * as acts from ...`.',
            },
            { group: ['**/src/schema/*', '**/schema/*'], allowTypeImports: true, message: 'Workflows receive the normalised spec; import its types only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Table tests edit pipeline drafts as untyped data on purpose (test/support/pipeline-builder.ts).
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
