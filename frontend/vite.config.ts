/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// go:embed needs a file in dist/ on a clean clone, so dist/.gitkeep is
// committed; the build empties dist/ and puts it back.
function keepGitkeep(): Plugin {
  return {
    name: 'clinicdesk-keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(new URL('./dist/.gitkeep', import.meta.url), '');
    },
  };
}

// The app is fully offline: nothing here may point at a CDN or an external font.
export default defineConfig({
  plugins: [svelte(), keepGitkeep()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    mockReset: true,
    // make test runs these beside the Go race tests on a 2-core machine,
    // where one jsdom test can take longer than Vitest's 5 s default. The
    // bound only decides when a hung test is reported; no test asserts time.
    testTimeout: 30000,
  },
});
