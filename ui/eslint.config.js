// ESLint flat config for the UI: the recommended JavaScript, TypeScript
// (type-aware, so promise misuse is caught) and Svelte rule sets, with
// zero warnings allowed in CI (`npm run lint`).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";
import svelteConfig from "./svelte.config.js";

export default defineConfig(
  { ignores: ["dist/", "dist-mock/", "node_modules/", "test-artifacts/"] },
  js.configs.recommended,
  ts.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        // Files outside tsconfig.json's `include` (the config files and the
        // browser suite) get a default project so type-aware rules see them.
        projectService: {
          allowDefaultProject: ["*.js", "*.ts", "tests/browser/*.mjs"],
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: [".svelte"],
      },
    },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: {
      parserOptions: { parser: ts.parser, svelteConfig },
    },
  },
  {
    rules: {
      // A promise nobody awaits loses its rejection; the state classes and
      // the browser suite must await or hand errors on explicitly. node:test
      // awaits what `test()` and `describe()` return itself, so those calls
      // at the top of a suite are not floating.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] },
          ],
        },
      ],
    },
  },
  {
    // The browser suite is plain JavaScript run by `node --test`: its
    // parameters (playwright pages, the harness env) carry no annotations,
    // so they are `any` and the no-unsafe-* family would flag every use.
    // Typing them needs a TS build step for the suite; until then these
    // rules stay off there. no-floating-promises still applies wherever a
    // type is known, e.g. an un-awaited call to the harness's own helpers.
    files: ["tests/browser/**/*.mjs"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
