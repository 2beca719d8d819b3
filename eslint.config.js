// ESLint flat config: typescript-eslint on every TypeScript file, plus the
// import boundaries of ../shared/docs/architecture.md (core/ stays runtime-neutral,
// the edge entry never sees Node-only packages, the stages never import cli/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeOnly = ['sharp', 'onnxruntime-node', '@tensorflow/*', '@napi-rs/canvas', 'node:*'];
const runtimeNeutral = { group: nodeOnly, message: 'core/ and the edge code must stay runtime-neutral (see docs in README: Architecture).' };
// cli/ loads the stages' commands; a stage importing cli/ back would be a cycle (flag parsing lives in command/)
const noCli = { group: ['**/cli/*'], message: 'the stages do not import cli/: the Command type, flag parsing and UsageError live in command/.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.wrangler/**', '.serverless/**', 'models/**', 'work/**', '**/*.generated.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', Buffer: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', FormData: 'readonly', Blob: 'readonly', File: 'readonly', crypto: 'readonly', WebAssembly: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', atob: 'readonly', btoa: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts', 'captcha/**/*.ts', 'train/**/*.ts', 'convert/**/*.ts', 'functions/**/*.ts', 'command/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCli] }] },
  },
  {
    files: ['core/**/*.ts', 'functions/app/**/*.ts', 'functions/edge/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [runtimeNeutral, noCli] }] },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'experiments/**/*.ts', 'scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
