import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@posepool/source'] } },
  test: { name: 'integration', include: ['**/*.test.ts'], setupFiles: ['../vitest.setup.ts'], testTimeout: 60_000 },
});
