// ESLint flat config, run by `npm run lint` (and by .ci/run before the tests). Correctness rules only:
// no formatting rules, so lint never asks for a diff that is only whitespace or quotes.
// A rule is switched off at one place only with `// eslint-disable-next-line RULE -- reason`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Node's globals, read from the Node that runs ESLint, plus CommonJS's module-scope names.
const nodeGlobals = Object.fromEntries(
  [...Object.getOwnPropertyNames(globalThis), 'require', 'module', 'exports', '__dirname', '__filename']
    .map((name) => [name, 'readonly']),
);
// What the report webview's scripts use of the browser (add a name here when they use another).
const webviewGlobals = { window: 'readonly', document: 'readonly', acquireVsCodeApi: 'readonly' };

// Host-side folders: dist/extension.js bundles them, so they must not load the native modules or
// worker-only code (esbuild.mjs checks the bundle; this names the importing line while you type).
const hostOnlyFiles = ['src/classifier/**/*.ts', 'src/editor/**/*.ts', 'src/views/**/*.ts', 'src/extension.ts', 'src/config.ts'];

export default defineConfig(
  // Build output, downloads and results (git-ignored), and the bundled models' files.
  globalIgnores(['out/', 'dist/', '.vscode-test/', '.cache/', 'bench/', 'test-results/', 'scripts/train/work/', 'models/', 'docs/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a value left unused on purpose (a parameter an interface requires).
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // `== null` is the one loose comparison kept: it means "null or undefined".
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Type-aware rules for the TypeScript that tsconfig.json compiles: a promise nobody awaits or
    // catches is an unhandled rejection, which ends the CLI and the worker and is lost in the host.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: hostOnlyFiles,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(onnxruntime-node|tokenizers)$|(^|/)engine(/|$)',
          allowTypeImports: true,
          message: 'Host code must not load onnxruntime-node, tokenizers or src/engine/ (worker-only): ask the worker through ClassifierClient and the protocol.',
        }],
      }],
    },
  },
  {
    // Tests read JSON answers and ONNX graphs whose shape they then assert.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['media/**'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['media/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The report webview's scripts run in the browser, not in Node.
    files: ['media/report/**/*.js'],
    languageOptions: { globals: webviewGlobals, sourceType: 'script' },
  },
);
