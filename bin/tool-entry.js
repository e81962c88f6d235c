import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Which copy of the tool to run, given the package's root URL: dist/ (compiled) when it is there and no file of src/
 * is newer than it, else src/ (TypeScript, through tsx). Checking costs a stat per source file, about a millisecond.
 */
export function toolEntry(root) {
  const copy = (folder, ext) => ({
    main: new URL(`${folder}/cli/process-main.${ext}`, root),
    index: new URL(`${folder}/index.${ext}`, root),
    loader: new URL(`${folder}/graph/feature-module-loader.${ext}`, root),
  });
  const source = { compiled: false, ...copy("src", "ts") };
  let built;
  try {
    built = statSync(fileURLToPath(new URL("dist/index.js", root))).mtimeMs;
  } catch {
    return source;
  }
  const src = fileURLToPath(new URL("src/", root));
  for (const file of readdirSync(src, { recursive: true })) {
    if (file.endsWith(".ts") && statSync(`${src}/${file}`).mtimeMs > built) return source;
  }
  return { compiled: true, ...copy("dist", "js") };
}
