import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/warehouse.ts";

const read = (file: string) => readFileSync(path.join(REPO, file), "utf8");

/** `export { a, b as c, type D } from "./x.ts"` and `export type { … } from …`: exported name -> [local name, module]. */
function reExports(file: string): Map<string, [string, string]> {
  const found = new Map<string, [string, string]>();
  for (const [, names, from] of read(file).matchAll(/^export (?:type )?\{([^}]*)\} from "([^"]+)";/gm)) {
    for (const entry of names!.split(",").map((n) => n.trim().replace(/^type /, "")).filter(Boolean)) {
      const [local, exported = local] = entry.split(/\s+as\s+/);
      found.set(exported!, [local!, path.join(path.dirname(file), from!)]);
    }
  }
  return found;
}

/** The doc comment right above `name`'s declaration in `file`, following re-exports; undefined where there is none. */
function docComment(file: string, name: string): string | undefined {
  const next = reExports(file).get(name);
  if (next) return docComment(next[1], next[0]);
  const lines = read(file).split("\n");
  const at = lines.findIndex((l) => new RegExp(`^export (declare )?(abstract )?(async )?(function\\*?|class|const|let|interface|type|enum) ${name}\\b`).test(l));
  if (at < 0) throw new Error(`${name} is not declared in ${file}`);
  if (!lines[at - 1]?.trimEnd().endsWith("*/")) return undefined;
  let start = at - 1;
  while (start > 0 && !lines[start]!.trimStart().startsWith("/**")) start--;
  return lines.slice(start, at).join("\n");
}

describe("the public API", () => {
  const exported = [...reExports("src/index.ts").keys()];

  it("is found (the check reads what it should)", () => {
    expect(exported).toEqual(expect.arrayContaining(["col", "featureSet", "source", "LazyFrame", "runBackfill", "DType", "OnlineStoreSettings"]));
    expect(exported.length).toBeGreaterThan(30);
  });

  it("has a doc comment on every symbol src/index.ts exports", () => {
    const undocumented = exported.filter((name) => !docComment("src/index.ts", name));
    expect(undocumented).toEqual([]);
  });
});

/** Markdown files of the manual: README.md and docs/**, without generated output (docs/api). */
const manual = ["README.md", ...readdirSync(path.join(REPO, "docs"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md") && !f.startsWith("api")).map((f) => path.join("docs", f))];

/** GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens, -1 for repeats). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of read(file).replace(FENCED, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!.trim().toLowerCase().replace(/[`*]/g, "").replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n ? `${slug}-${n}` : slug);
  }
  return result;
}

const FENCED = /^```[\s\S]*?^```/gm;
const withoutCode = (text: string) => text.replace(FENCED, "").replace(/`[^`\n]*`/g, "``");

/** The relative links of a Markdown file that reach no file, or no heading of the file they name. */
function brokenLinks(file: string, text = read(file)): string[] {
  const broken: string[] = [];
  for (const [, target] of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:: not relative
    const [ref, anchor] = target!.split("#") as [string, string | undefined];
    const resolved = ref ? path.join(path.dirname(file), decodeURIComponent(ref)) : file;
    if (!existsSync(path.join(REPO, resolved))) {
      broken.push(`${target}: no file ${resolved}`);
      continue;
    }
    if (anchor !== undefined && statSync(path.join(REPO, resolved)).isFile() && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) {
      broken.push(`${target}: no heading #${anchor} in ${resolved}`);
    }
  }
  return broken;
}

describe("the manual's relative links", () => {
  it.each(manual)("%s: every relative link reaches a file, and its #anchor a heading", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it("are checked: a missing file and a missing heading are found, code is skipped", () => {
    const text = "[ok](operations.md#run---missing) [a](nope.md) [b](cli.md#exit-code) [c](#exit-codes) `[d](gone.md)`\n```\n[e](gone.md)\n```\n";
    expect(brokenLinks("docs/cli.md", text)).toEqual(["nope.md: no file docs/nope.md", "cli.md#exit-code: no heading #exit-code in docs/cli.md"]);
    expect(manual).toEqual(expect.arrayContaining(["README.md", "docs/operations.md", path.join("docs", "engines", "postgres.md")]));
  });
});
