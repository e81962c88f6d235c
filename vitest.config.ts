import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Feature unit tests live beside the features, as `init` scaffolds them.
    include: ["test/**/*.test.ts", "features/**/*.test.ts"],
    // DuckDB files and spawned CLIs: a little headroom over the 5 s default on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
