// Module hook (node:module register): resolves "feature-backfill" to the entry of the copy of the tool that runs.
let index;

export function initialize(data) {
  index = data.index;
}

export async function resolve(specifier, context, next) {
  if (specifier === "feature-backfill") return { url: index, format: "module", shortCircuit: true };
  return next(specifier, context);
}
