import { defineConfig } from 'vitest/config';

// Real Chromium and ffmpeg run inside the tests, on a 2-core machine: run test
// files one after another so timings stay predictable and browsers do not starve.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
