// The linter checks what the type checker cannot: promises nobody waits for or handles (an
// unhandled rejection ends a Node process, the master included), async functions passed where
// the caller ignores what they return (an event listener), `return promise` inside try (the
// catch never sees its rejection), and imports used only as types that are not marked so (type
// imports are erased; the import direction of src/ is about what loads at run time).
// Typed rules: tsconfig.test.json's program (src, test, bench). Run by npm test's pretest.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/nest-app/**', 'test/fixtures/next-app/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.js'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
    },
  },
);
