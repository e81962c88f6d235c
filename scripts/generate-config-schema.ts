// Rewrites features.config.schema.json from the zod schema in src/config/config.ts (`npm run schema`).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { configJsonSchemaText } from "../src/config/config-json-schema.ts";

const file = path.resolve(import.meta.dirname, "../features.config.schema.json");
writeFileSync(file, configJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
