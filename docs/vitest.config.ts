import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@posepool/source'] } },
  test: { name: 'docs', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
