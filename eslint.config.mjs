// ESLint's settings (make lint): the in-page scripts are plain scripts that attach to one
// namespace (and export it under Node); the tests are Node modules.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["_build/**", "node_modules/**", ".venv/**", "docs/auto_examples/**", "docs/_generated/**"] },
  js.configs.recommended,
  {
    files: ["docs/_static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, module: "readonly" },
    },
    rules: {
      eqeqeq: "error",
      "no-var": "off",
      "no-implicit-globals": "error",
      "no-shadow": "error",
      "no-use-before-define": ["error", { functions: false, variables: true }],
      "no-unused-vars": ["error", { args: "none" }],
      strict: ["error", "function"],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='sort'][arguments.length=0]",
          message: "sort() without a comparison function orders numbers as text (10 before 9): pass one.",
        },
      ],
    },
  },
  {
    files: ["tests/**/*.js", "tests/**/*.mjs", "*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
    rules: { eqeqeq: "error", "no-unused-vars": ["error", { args: "none" }] },
  },
  {
    files: ["docs/_ext/**/*.cjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: globals.node },
    rules: { eqeqeq: "error", strict: ["error", "global"] },
  },
  {
    files: ["tests/js/**/*.js"],
    languageOptions: { sourceType: "commonjs" },
  },
];
