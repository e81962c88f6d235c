import { z } from "zod";
import { configSchema } from "./config.ts";

/**
 * The JSON Schema of `features.config.json`, generated from the zod schema that validates it at run time, so the two
 * cannot disagree. Committed as `features.config.schema.json` (`npm run schema` rewrites it; a test checks it is
 * current) and referenced by `$schema`, for editors' completion and checks. It describes the file as written: the
 * input side of the schema (defaults make keys optional), before `${VAR}` interpolation.
 */
function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    io: "input",
    // zod marks `.includes()` with a format of its own; JSON Schema validators reject unknown formats, and the
    // pattern next to it already says the same.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === "includes") delete jsonSchema.format;
    },
  });
  const { $schema, ...rest } = generated;
  return { $schema, title: "feature-backfill configuration (features.config.json)", ...rest };
}

/** The schema file's exact text. */
export const configJsonSchemaText = (): string => `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
