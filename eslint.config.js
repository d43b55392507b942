import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "Use an `as const` object instead of enum." },
      ],
    },
  },
  {
    files: ["shared/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["@nephoran/hub*", "@nephoran/agent*"] }],
    },
  },
  {
    files: ["hub/src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: ["@nephoran/agent*"] }] },
  },
  {
    files: ["agent/src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: ["@nephoran/hub*"] }] },
  },
);
