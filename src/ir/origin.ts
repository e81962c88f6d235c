import type { SourceLocation } from "./definitions.ts";

/**
 * Where the user's code built an IR node, for error messages. Kept beside the IR rather than in it: nodes stay plain
 * data (printed, hashed, compared), and a node built twice at different lines is still the same definition. The DSL
 * records a lazy locator per node; formatting a stack trace is the costly part, so it happens only when an error asks.
 */
const origins = new WeakMap<object, () => SourceLocation | undefined>();

export function recordOrigin(node: object, locate: () => SourceLocation | undefined): void {
  if (origins.has(node)) return;
  let memo: { at?: SourceLocation } | undefined;
  origins.set(node, () => (memo ??= { at: locate() }).at);
}

/** The file and line that built `node`, when the DSL recorded it. */
export const originOf = (node: object): SourceLocation | undefined => origins.get(node)?.();
