// Loaded with `node --import` by tests: reports at exit whether snowflake-sdk was ever loaded into the process.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
process.on("exit", () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes(`${"/"}node_modules/snowflake-sdk/`));
  process.stderr.write(`\n[report-modules] snowflake-sdk loaded: ${loaded}\n`);
});
