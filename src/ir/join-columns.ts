import type { AsofJoinRel, JoinRel } from "./rel.ts";

/** One output column of a join: which side it comes from, under which name there, and its name after the join. */
export interface JoinColumn {
  readonly side: "left" | "right";
  readonly source: string;
  readonly name: string;
}

/**
 * The output columns of a join, as Polars names them: the left columns; then, except for semi and anti joins, the
 * right ones without the right join keys (equal to the left ones by construction; as-of joins keep `rightOn` when it
 * is named differently from `leftOn`), a right name the left already has getting the suffix. Shared by the type
 * pass and the compiler, so the schema and the SQL cannot disagree.
 */
export function joinColumns(node: JoinRel | AsofJoinRel, left: readonly string[], right: readonly string[]): JoinColumn[] {
  const fromLeft = left.map((name) => ({ side: "left" as const, source: name, name }));
  if (node.kind === "join" && (node.how === "semi" || node.how === "anti")) return fromLeft;
  const dropped = new Set(
    node.kind === "join"
      ? node.on.map((k) => k.right)
      : [...node.by.map((k) => k.right), ...(node.rightOn === node.leftOn ? [node.rightOn] : [])],
  );
  const taken = new Set(left.map((n) => n.toLowerCase()));
  const fromRight = right
    .filter((name) => !dropped.has(name))
    .map((name) => ({ side: "right" as const, source: name, name: taken.has(name.toLowerCase()) ? `${name}${node.suffix}` : name }));
  return [...fromLeft, ...fromRight];
}
