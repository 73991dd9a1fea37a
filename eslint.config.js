import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `../x` or `./dir/x`: a relative specifier that leaves its folder. */
const DEEP_RELATIVE = '/^\\.\\.\\/|^\\.\\/[^\\/]+\\//';
const CROSS_FOLDER =
  'Import across folders through #lib/, #functions/, #infra/, #test/ or #bench/ (package.json "imports"); a relative import names only a file of the same folder (./x.ts).';

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', 'out', '.sinew', 'coverage', 'test-artifacts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'Focused tests hide the rest of the suite.' },
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='skip']", message: 'Skipped tests are banned; the one allowed skip is a browser test via skipIf with a printed reason.' },
        { selector: `ImportExpression > Literal[value=${DEEP_RELATIVE}]`, message: CROSS_FOLDER },
        { selector: `TSImportType Literal[value=${DEEP_RELATIVE}]`, message: CROSS_FOLDER },
        { selector: `CallExpression[callee.object.name='vi'] > Literal.arguments[value=${DEEP_RELATIVE}]`, message: CROSS_FOLDER },
      ],
      // One rule for module specifiers: a relative import names a file of the importer's own
      // folder (`./x.ts`); anything else goes through the package's subpath imports.
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./|^\\./[^/]+/', message: CROSS_FOLDER }] }],
    },
  },
  {
    // STYLE.md: a file over ~400 lines is asking to be split along a seam.
    files: ['lib/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
);
