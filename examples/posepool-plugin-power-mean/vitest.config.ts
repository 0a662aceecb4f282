import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@posepool/source'] } },
  test: { name: 'plugin-power-mean', include: ['src/**/*.test.ts'], setupFiles: ['../../vitest.setup.ts'] },
});
