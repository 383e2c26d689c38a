import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "apps/**/*.test.ts", "operators/**/*.test.ts", "crds/**/*.test.ts", "dataplane/**/*.test.ts", "catalog/**/*.test.ts", "infra/**/*.test.ts", "clusters/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Two cores: integration suites start servers and Python; more forks only thrash.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
