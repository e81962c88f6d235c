#!/usr/bin/env node
// The tool runs as JavaScript compiled into dist/ (`npm run build`, which `npm ci` runs as `prepare`). Where dist/ is
// missing or older than src/ (a checkout being edited), it runs src/ through tsx as before: a stale build never runs.
// Users' feature modules are TypeScript nobody builds: tsx loads them, registered only when the first one is
// imported, so the tool's own modules never pass through its hooks (that, more than compiling, was the cold start).
import { register } from "node:module";
import { toolEntry } from "./tool-entry.js";

const { compiled, main, index, loader } = toolEntry(new URL("../", import.meta.url));
const registerLoaders = async () => {
  const tsx = await import("tsx/esm/api");
  tsx.register();
  // A feature module's `import … from "feature-backfill"` must load the very modules this process runs (the DSL's
  // classes and symbols, the error classes mapped to exit codes), not a second copy from the other folder.
  register(new URL("./resolve-self.js", import.meta.url), { data: { index: index.href } });
};
if (compiled) (await import(loader.href)).onFirstFeatureImport(registerLoaders);
else await registerLoaders();
await import(main.href);
