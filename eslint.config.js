// Lint rules: typed linting, explicit return types on exports, no floating promises,
// and limits on complexity and nesting so modules stay readable.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '**/*.bundle.js', 'daemons/broker/ui/assets/', 'test/controlplane/', '.cache/', 'bpf/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'plugin/bin/kubectl-kguardian.js', 'scripts/lint/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Cyclomatic complexity 15: past it a function is several decisions that want names of their own (STYLE.md).
      complexity: ['error', 15],
      // More than five parameters is a parameter object waiting to be named (STYLE.md: small functions, data as types).
      'max-params': ['error', 5],
      'max-depth': ['error', 4],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The layers of docs/adr/0007-shared-layer.md: no cross-daemon imports, no production import of
    // a test helper, no import circles (scripts/lint/layers.js says why a local rule).
    files: ['**/*.ts'],
    plugins: { layers },
    rules: { 'layers/boundaries': 'error', 'layers/no-circle': 'error' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    // Tests write client-node's model classes as object literals, as its own examples do.
    rules: { 'max-lines': 'off', '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
  // The config and its local rules are plain JavaScript that ESLint loads without a compiler.
  { files: ['eslint.config.js', 'scripts/lint/*.js'], ...tseslint.configs.disableTypeChecked },
  // Plain JavaScript has no type annotations to demand; the rules' tests pin their behaviour.
  { files: ['scripts/lint/*.js'], rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' } },
);
