import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: 'Only src/extension/ may import vscode.', allowTypeImports: true };

/**
 * Arrows point inward: util ← dag ← (language, graph, interop, runner) ← (cli, extension). A layer
 * importing one further out is an error, like the vscode boundary.
 */
function layer(folder, outward) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [VSCODE],
          patterns: [
            {
              group: outward.map((f) => `**/${f}/**`),
              message: `src/${folder}/ may not import from ${outward.join(', ')} (arrows point inward).`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test/e2e/artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only src/extension/ may import vscode: the core must run in the CLI and in plain tests.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode.', allowTypeImports: true }] },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode.', allowTypeImports: true }] },
      ],
    },
  },
  layer('util', ['dag', 'protocol', 'language', 'graph', 'interop', 'runner', 'cli', 'extension']),
  layer('dag', ['language', 'graph', 'interop', 'runner', 'cli', 'extension']),
  layer('protocol', ['language', 'graph', 'interop', 'runner', 'cli', 'extension']),
  layer('language', ['graph', 'interop', 'runner', 'cli', 'extension']),
  layer('graph', ['language', 'interop', 'runner', 'cli', 'extension']),
  layer('interop', ['language', 'runner', 'cli', 'extension']),
  layer('runner', ['language', 'graph', 'interop', 'cli', 'extension']),
  layer('cli', ['extension']),
  {
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
