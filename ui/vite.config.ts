/// <reference types="vitest/config" />
// Vite build for the desktop UI. The production build has one entry
// (index.html) and goes to ui/dist, which tauri.conf.json loads. The `mock`
// mode adds mock.html, which installs a fixture backend before the real
// app, and writes to dist-mock so a test build never ships.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { fileURLToPath } from "node:url";

export default defineConfig(({ mode }) => {
  const mock = mode === "mock";
  const input: Record<string, string> = {
    index: fileURLToPath(new URL("./index.html", import.meta.url)),
  };
  if (mock) input.mock = fileURLToPath(new URL("./mock.html", import.meta.url));

  return {
    plugins: [svelte()],
    resolve: {
      alias: { $lib: fileURLToPath(new URL("./src/lib", import.meta.url)) },
    },
    clearScreen: false,
    server: { port: 5173, strictPort: true, host: "127.0.0.1" },
    build: {
      outDir: mock ? "dist-mock" : "dist",
      emptyOutDir: true,
      target: "es2022",
      // No inline module preload polyfill: the CSP forbids inline scripts.
      modulePreload: { polyfill: false },
      rollupOptions: { input },
    },
    test: {
      include: ["src/**/*.spec.ts"],
      environment: "node",
    },
  };
});
