import type { AsofJoinRel, JoinRel } from "./rel.ts";

/**
 * One output column of a join: which side it comes from, under which name there, and its name after the join. A
 * coalesced key of a full join comes from both sides: the left's `source`, else the right's `other`.
 */
export type JoinColumn =
  | { readonly side: "left" | "right"; readonly source: string; readonly name: string }
  | { readonly side: "both"; readonly source: string; readonly other: string; readonly name: string };

/** Whether a join keeps one column per key pair (Polars' `coalesce`; by default all joins but full ones do). */
function coalescesKeys(node: JoinRel): boolean {
  return node.how !== "cross" && node.how !== "semi" && node.how !== "anti" && (node.coalesce ?? node.how !== "full");
}

/**
 * The output columns of a join, as Polars names them (py-polars tests/unit/operations/test_join_right.py): the left
 * columns, then the right ones, a right name the left already has getting the suffix. Semi and anti joins keep the
 * left columns only. Where keys coalesce, one column stands for each key pair: the left key in inner and left joins
 * (equal to the right one where both exist), the right key in right joins (the left ones are left out), and in full
 * joins the left key where the left row exists, else the right one. Without coalescing both keys stay. As-of joins
 * keep `rightOn` when it is named differently from `leftOn`. Shared by the type pass and the compiler, so the schema
 * and the SQL cannot disagree.
 */
export function joinColumns(node: JoinRel | AsofJoinRel, left: readonly string[], right: readonly string[]): JoinColumn[] {
  const plain = (side: "left" | "right") => (name: string): JoinColumn => ({ side, source: name, name });
  if (node.kind === "join" && (node.how === "semi" || node.how === "anti")) return left.map(plain("left"));
  let fromLeft: JoinColumn[] = left.map(plain("left"));
  let dropped = new Set<string>();
  if (node.kind === "asofJoin") {
    dropped = new Set([...node.by.map((k) => k.right), ...(node.rightOn === node.leftOn ? [node.rightOn] : [])]);
  } else if (coalescesKeys(node) && node.how === "right") {
    const leftKeys = new Set(node.on.map((k) => k.left));
    fromLeft = left.filter((name) => !leftKeys.has(name)).map(plain("left"));
  } else if (coalescesKeys(node)) {
    dropped = new Set(node.on.map((k) => k.right));
    if (node.how === "full") {
      fromLeft = fromLeft.map((c) => {
        const key = node.on.find((k) => k.left === c.source);
        return key ? { side: "both", source: key.left, other: key.right, name: c.name } : c;
      });
    }
  }
  const taken = new Set(fromLeft.map((c) => c.name.toLowerCase()));
  const fromRight = right
    .filter((name) => !dropped.has(name))
    .map((name): JoinColumn => ({ side: "right", source: name, name: taken.has(name.toLowerCase()) ? `${name}${node.suffix}` : name }));
  return [...fromLeft, ...fromRight];
}
