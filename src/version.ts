import { createRequire } from "node:module";

/** This package's version (package.json): for `--version`, scaffolded projects and the warehouse's client tag. */
export const VERSION: string = createRequire(import.meta.url)("../package.json").version;
