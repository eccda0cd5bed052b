// ESLint for the TypeScript and the elements; Prettier owns the layout (see .prettierrc.json),
// so nothing here is about spacing or quotes. The rule sets are the recommended ones; each
// change to them below says why.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';

/** TypeScript that tsconfig.json type-checks, plus the stories and Storybook's config. */
const TS = ['**/*.ts'];
/** Files the type-aware rules would have to open a second program for: linted without types. */
const UNTYPED_TS = ['stories/**/*.ts', '.storybook/**/*.ts'];
/** Plain JavaScript: Node scripts and the examples' Vite apps. */
const JS = ['**/*.js', '**/*.mjs', '**/*.jsx'];

export default defineConfig(
  {
    ignores: ['dist/', 'bench/dist/', 'storybook-static/', 'examples/*/dist/', '.cache/', 'node_modules/', 'custom-elements.json', 'bench/results*.json'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  js.configs.recommended,

  // TypeScript: the recommended set everywhere, and the type-aware rules that catch real
  // bugs (a promise nobody awaits or catches, an async callback where a sync one is
  // expected, awaiting a non-promise) where tsconfig.json already builds the program.
  {
    files: TS,
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
    rules: {
      // `catch {}` and `() => {}` are how this code says "nothing to do"; a comment beside
      // them says why where it matters.
      '@typescript-eslint/no-empty-function': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Names prefixed with `_` are deliberately unused (a callback's position, a rest sibling).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // The worker boundary, Pyodide's proxies and the fixtures handle values of any shape:
      // `any` is reviewed where it appears, not banned.
      '@typescript-eslint/no-explicit-any': 'off',
      // `!` after a lookup the code has just guarded (noUncheckedIndexedAccess is on) is
      // the project's idiom; banning it would mean hundreds of dead checks.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: TS,
    ignores: UNTYPED_TS,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          ignoreVoid: true,
          // @open-wc/testing's DOM-diff plugin types chai's `equal` as returning a promise
          // (for `expect(el).dom.to.equal(…)`); every plain `expect(x).to.equal(y)` is sync.
          allowForKnownSafeCalls: [{ from: 'package', name: 'Equal', package: '@open-wc/semantic-dom-diff' }],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      // A `switch` over a union (a task's phase, a protocol message) names every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/only-throw-error': 'error',
      // Passing on what was caught (typed `unknown`) is fine; rejecting with a string is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },

  // Elements: Lit's template checks and the web-component best practices.
  {
    files: TS,
    extends: [lit.configs['flat/recommended'], wc.configs['flat/best-practice']],
    settings: { wc: { elementBaseClasses: ['LitElement'] } },
    rules: {
      // A class field would shadow Lit's reactive accessor (this code declares properties
      // with `declare` for that reason).
      'lit/no-classfield-shadowing': 'error',
      'lit/lifecycle-super': 'error',
      'lit/no-native-attributes': 'error',
      'lit/no-this-assign-in-render': 'error',
      'lit/no-template-bind': 'error',
      // Lit defines every lifecycle callback, so a guard around `super.connectedCallback()`
      // would be dead code; lit/lifecycle-super checks that the super call is there.
      'wc/guard-super-call': 'off',
    },
  },

  // Plain JavaScript: Node scripts (scripts/, bench/*.mjs, configs) and the examples' apps.
  {
    files: JS,
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    rules: {
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
);
