// Lint: typescript-eslint's recommended rules plus the layering rule (issue: features plug into the bot).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const noFeatures = {
  group: ["**/features/**", "**/features"],
  message: "Only src/features/* and the top-level wiring may import a feature: connect through register(bot).",
};
const pureDomain = {
  group: [
    "**/store/**",
    "**/lark/**",
    "**/bot/**",
    "**/generated/**",
    "@larksuiteoapi/*",
    "@prisma/*",
    "better-sqlite3",
    "koa",
    "node-cron",
    "pino",
  ],
  message: "src/domain is pure: no database, SDK, transport or clock.",
};

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "src/generated/**",
      ".tmp/**",
      "coverage/**",
      "data/**",
      "scripts/**",
      "bin/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
      // Chinese text legitimately holds full-width spaces.
      "no-irregular-whitespace": [
        "error",
        { skipStrings: true, skipTemplates: true, skipComments: true, skipRegExps: true },
      ],
    },
  },
  {
    files: ["src/lark/**", "src/store/**", "src/bot/**", "cards/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [noFeatures] }] },
  },
  { files: ["src/domain/**"], rules: { "no-restricted-imports": ["error", { patterns: [noFeatures, pureDomain] }] } },
  {
    files: ["src/features/*/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["../../runtime", "../../main"], message: "A feature connects only through register(bot)." },
          ],
        },
      ],
    },
  },
  { files: ["test/**", "bench/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
);
