import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/posepool-plugin-*/vitest.config.ts', 'docs/vitest.config.ts', 'test/vitest.config.ts'],
  },
});
