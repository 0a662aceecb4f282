import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@posepool/source'] } },
  test: { name: 'training', include: ['src/**/*.test.ts'], setupFiles: ['../../vitest.setup.ts'] },
});
