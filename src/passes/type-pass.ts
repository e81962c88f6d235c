import { commonType, type DType, type InferredType, isIntegral, isNumeric, isTemporal } from "../ir/dtype.ts";
import type { FeatureSetDef, SourceDef } from "../ir/definitions.ts";
import { fixedMicros, formatDuration } from "../ir/duration.ts";
import { containsWindow, type ExprNode, isSubDaily, outputName, type ScalarFn, truncatePeriod, visitExpr, type WindowExpr } from "../ir/expr.ts";
import { joinColumns } from "../ir/join-columns.ts";
import { lowerFrame, type Shorthand } from "../ir/lower-frame.ts";
import { type AsofJoinRel, type JoinKey, type JoinRel, type RelNode, visitRel } from "../ir/rel.ts";
import { DefinitionError } from "../errors.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { type Column, columnNames, findColumn, type Schema } from "./schema.ts";

/** What the type pass knows about one feature set. */
export interface TypedSet {
  /** Output columns: keys, then the timestamp, then the features. */
  readonly schema: Schema;
  /** The schema of every relation node of the set's tree (the compiler expands `withColumns` with it). */
  readonly relSchemas: ReadonlyMap<RelNode, Schema>;
}

type Where = { set: string; at: FeatureSetDef["definedAt"]; expr?: ExprNode };

/**
 * Type inference and validation over the whole graph: every column exists, operand types mix, aggregations take
 * numbers where they must, and each set outputs its declared keys and timestamp. Throws the first problem found,
 * naming the set, the column and the file; nothing has touched the warehouse yet. Types `sets` and what they
 * depend on (default: every set), so a broken set does not block backfills that do not need it.
 */
export function typeGraph(graph: FeatureGraph, sets: Iterable<string> = graph.sets.keys()): ReadonlyMap<string, TypedSet> {
  const typed = new Map<string, TypedSet>();
  const typeSet = (name: string): TypedSet => {
    const known = typed.get(name);
    if (known) return known;
    const node = graph.sets.get(name)!;
    const where: Where = { set: name, at: node.def.definedAt };
    const relSchemas = new Map<RelNode, Schema>();
    const leafSchema = (leaf: { kind: "scan"; source: string } | { kind: "ref"; set: string }): Schema =>
      leaf.kind === "scan" ? sourceSchema(graph.sources.get(leaf.source)!) : typeSet(leaf.set).schema;
    const relSchema = typeRel(node.rel, where, leafSchema, relSchemas);
    const result = { schema: outputSchema(node.def, relSchema, where), relSchemas };
    typed.set(name, result);
    return result;
  };
  for (const name of sets) typeSet(name);
  return typed;
}

export const sourceSchema = (source: SourceDef): Schema =>
  Object.entries(source.columns).map(([name, type]) => ({ name, type }));

function outputSchema(def: FeatureSetDef, schema: Schema, where: Where): Schema {
  for (const column of [...def.keys, def.timestamp]) {
    if (!findColumn(schema, column)) {
      const role = column === def.timestamp ? "timestamp" : "key";
      throw new DefinitionError(`the output lacks its ${role} column "${column}"; it has ${columnNames(schema).join(", ")}`, { ...where, column });
    }
  }
  const ts = findColumn(schema, def.timestamp)!;
  if (!isTemporal(ts.type)) {
    throw new DefinitionError(`timestamp column "${ts.name}" is ${ts.type}; it must be a date or timestamp`, { ...where, column: ts.name });
  }
  const leading = [...def.keys, def.timestamp];
  return [...leading.map((n) => findColumn(schema, n)!), ...schema.filter((c) => !leading.includes(c.name))];
}

function typeRel(
  rel: RelNode,
  where: Where,
  leafSchema: (leaf: { kind: "scan"; source: string } | { kind: "ref"; set: string }) => Schema,
  out: Map<RelNode, Schema>,
): Schema {
  const typed = out.get(rel); // a shorthand's lowered form shares its input with it
  if (typed) return typed;
  const recur = (r: RelNode) => typeRel(r, where, leafSchema, out);
  const typedNames = (r: RelNode) => columnNames(out.get(r)!);
  const schema = visitRel<Schema>(rel, {
    scan: (n) => leafSchema(n),
    ref: (n) => leafSchema(n),
    filter: (n) => {
      const input = recur(n.input);
      const t = typeExpr(n.predicate, input, where, "row");
      if (t !== "boolean" && t !== "null") throw new DefinitionError(`filter() needs a boolean expression, got ${t}`, { ...where, expr: n.predicate });
      return input;
    },
    select: (n) => {
      const input = recur(n.input);
      return columnsOf(n.columns, input, where, "row");
    },
    withColumns: (n) => {
      const input = recur(n.input);
      const added = columnsOf(n.columns, input, where, "row");
      const replaced = input.map((c) => findColumn(added, c.name) ?? c);
      return [...replaced, ...added.filter((c) => !findColumn(input, c.name))];
    },
    aggregate: (n) => {
      const input = recur(n.input);
      if (n.keys.length === 0) throw new DefinitionError("groupBy() needs at least one key", where);
      const windowed = n.keys.find(containsWindow);
      if (windowed) throw new DefinitionError("a groupBy() key cannot be a window function; compute it with withColumns() first", { ...where, column: outputName(windowed) });
      return unique([...columnsOf(n.keys, input, where, "row"), ...columnsOf(n.aggs, input, where, "agg")], where);
    },
    join: (n) => {
      const [left, right] = [recur(n.left), recur(n.right)];
      n.on.forEach((k) => checkKeyPair(k, left, right, where, "join"));
      return joinSchema(n, left, right, where);
    },
    asofJoin: (n) => {
      const [left, right] = [recur(n.left), recur(n.right)];
      n.by.forEach((k) => checkKeyPair(k, left, right, where, "joinAsof"));
      const [l, r] = checkKeyPair({ left: n.leftOn, right: n.rightOn }, left, right, where, "joinAsof");
      if (!isTemporal(l) || !isTemporal(r)) {
        throw new DefinitionError(`joinAsof() matches on time: "${n.leftOn}" is ${l} and "${n.rightOn}" is ${r}`, { ...where, column: n.leftOn });
      }
      if (n.strategy === "nearest") return recur(lowerFrame(n as Shorthand, typedNames));
      return joinSchema(n, left, right, where);
    },
    rename: (n) => {
      const input = recur(n.input);
      n.mapping.forEach(([from]) => known(input, from, "rename", where));
      return recur(lowerFrame(n, typedNames));
    },
    drop: (n) => {
      const input = recur(n.input);
      n.columns.forEach((name) => known(input, name, "drop", where));
      return recur(lowerFrame(n, typedNames));
    },
    concat: (n) => {
      const [first, ...rest] = n.inputs.map(recur);
      rest.forEach((schema, i) => sameSchema(first!, schema, i + 2, where));
      return first!;
    },
    groupHead: (n) => {
      const input = recur(n.input);
      n.keys.forEach((name) => known(input, name, `groupBy(…).${n.take}`, where));
      return recur(lowerFrame(n, typedNames));
    },
    rowIndex: (n) => {
      recur(n.input);
      return recur(lowerFrame(n, typedNames));
    },
    unique: (n) => {
      const input = recur(n.input);
      n.subset?.forEach((name) => known(input, name, "unique", where));
      const rest = n.subset ? input.filter((c) => !n.subset!.includes(c.name)) : [];
      if (n.keep === "any" && rest.length > 0) {
        // Polars keeps any row of each group; SQL has no row order to make that one choice the same on every engine.
        throw new DefinitionError(
          `unique(subset, { keep: "any" }) keeps an arbitrary row of each group, whose other columns (${columnNames(rest).join(", ")}) could differ between runs and engines: ` +
            `sort the frame and keep "first" or "last" (frame.sort("<column>").unique(subset, { keep: "first" })), keep "none", or leave out the subset`,
          { ...where, column: rest[0]!.name },
        );
      }
      return recur(lowerFrame(n, typedNames));
    },
  });
  out.set(rel, schema);
  return schema;
}

/** As Polars (`strict=True`), naming a column the frame lacks is an error. */
function known(input: Schema, name: string, what: string, where: Where): void {
  if (!findColumn(input, name)) throw new DefinitionError(`${what}(): "${name}" is not a column; the frame has ${columnNames(input).join(", ")}`, { ...where, column: name });
}

/** Polars' vertical concat stacks columns by position: the names and types must agree, in order. */
function sameSchema(first: Schema, other: Schema, position: number, where: Where): void {
  const at = Math.max(first.length, other.length);
  for (let i = 0; i < at; i++) {
    const [a, b] = [first[i], other[i]];
    if (a && b && a.name === b.name && a.type === b.type) continue;
    const what = (c: Column | undefined) => (c ? `"${c.name}" (${c.type})` : "nothing");
    throw new DefinitionError(
      `concat(): frame ${position} has ${what(b)} as column ${i + 1}, where the first frame has ${what(a)}; a vertical concat needs the same column names and types in the same order (select and cast them first)`,
      { ...where, column: (a ?? b)!.name },
    );
  }
}

function columnsOf(exprs: readonly ExprNode[], input: Schema, where: Where, mode: Mode): Column[] {
  return unique(
    exprs.map((expr) => {
      const name = outputName(expr);
      const type = typeExpr(expr, input, where, mode, name);
      if (type === "null") throw new DefinitionError(`column "${name}" is always null and has no type; cast it`, { ...where, column: name });
      return { name, type };
    }),
    where,
  );
}

/** Output names must differ ignoring case: the warehouse would see two columns of one name. */
function unique(columns: Column[], where: Where): Column[] {
  columns.forEach((c, i) => {
    const first = columns.find((d) => d.name.toLowerCase() === c.name.toLowerCase())!;
    if (columns.indexOf(first) !== i) {
      const clash = first.name === c.name ? "" : ` (as "${first.name}", ignoring case)`;
      throw new DefinitionError(`column "${c.name}" is produced twice${clash}; rename one with .alias()`, { ...where, column: c.name });
    }
  });
  return columns;
}

/**
 * `row`: one value per row; `agg`: an aggregate result (columns only inside aggregations); `inAgg`: inside one;
 * `sortedAgg`: the operand of first()/last(); `typed`: an already validated expression whose type is wanted (the
 * compiler's question).
 */
type Mode = "row" | "agg" | "inAgg" | "sortedAgg" | "typed";

/**
 * The type of `expr` over `schema`; throws a DefinitionError naming the set and the column when it does not type.
 * `output` is the output column being computed, named in errors (a filter has none: the sub-expression is named).
 */
export function typeExpr(expr: ExprNode, schema: Schema, where: Where, mode: Mode, output?: string): InferredType {
  where = { ...where, expr }; // errors name the line that built the innermost expression at fault
  const sub = (e: ExprNode) => typeExpr(e, schema, where, mode, output);
  const fail = (detail: string, column?: string): never => {
    throw new DefinitionError(detail, { ...where, column: output ?? column });
  };
  return visitExpr<InferredType>(expr, {
    column: (n) => {
      const column = findColumn(schema, n.name);
      if (!column) {
        // As Polars, a bare string in a value position names a column: say so, since the author may have meant text.
        const hint = n.bare ? ` (a string in ${n.bare} names a column, as in Polars; for the text, write lit(${JSON.stringify(n.name)}))` : "";
        throw new DefinitionError(`unknown column "${n.name}"${hint}; available: ${columnNames(schema).join(", ")}`, { ...where, column: n.name });
      }
      if (mode === "agg") fail(`column "${n.name}" is used in agg() outside an aggregation; wrap it, e.g. col("${n.name}").max()`, n.name);
      return column.type;
    },
    literal: (n) => n.dtype,
    binary: (n) => {
      const [l, r] = [sub(n.left), sub(n.right)];
      const name = outputName(n);
      if (n.op === "and" || n.op === "or") {
        if (![l, r].every((t) => t === "boolean" || t === "null")) fail(`${n.op}() needs boolean operands, got ${l} and ${r}`, name);
        return "boolean";
      }
      const common = commonType(l, r);
      if (["add", "sub", "mul", "div", "mod"].includes(n.op)) {
        if (!isNumeric(l) || !isNumeric(r)) fail(`${n.op}() needs numeric operands, got ${l} and ${r}`, name);
        if (n.op === "div") return "double";
        return common!;
      }
      if (common === undefined) fail(`cannot compare ${l} with ${r} in ${n.op}(); cast one side`, name);
      return "boolean";
    },
    unary: (n) => {
      const t = sub(n.operand);
      if (n.op === "not" && t !== "boolean" && t !== "null") fail(`not() needs a boolean, got ${t}`, outputName(n));
      if (n.op === "neg" && !isNumeric(t)) fail(`neg() needs a number, got ${t}`, outputName(n));
      return n.op === "not" ? "boolean" : t;
    },
    isNull: (n) => (sub(n.operand), "boolean"),
    coalesce: (n) => unify(n.operands.map(sub), "fillNull()", outputName(n), fail),
    case: (n) => {
      for (const b of n.branches) {
        const t = sub(b.when);
        if (t !== "boolean" && t !== "null") fail(`when() needs a boolean condition, got ${t}`, outputName(n));
      }
      return unify([...n.branches.map((b) => sub(b.then)), sub(n.otherwise)], "when/then/otherwise", outputName(n), fail);
    },
    cast: (n) => (sub(n.operand), n.to),
    truncate: (n) => {
      const t = sub(n.operand);
      if (!isTemporal(t)) fail(`dt.truncate() needs a date or timestamp, got ${t}`, outputName(n));
      if (t === "date" && isSubDaily(n)) {
        const every = `dt.truncate("${formatDuration(truncatePeriod(n))}")`;
        // Polars keeps a date whose midnight starts a period, and turns any other into the day its period starts on.
        if (86_400e6 % fixedMicros(truncatePeriod(n))! !== 0) {
          fail(`${every} on a date: Polars gives the day on which the period holding its midnight starts (often the day before), for a period that does not divide a day; use whole days ("2d") or cast("timestamp") first`, outputName(n));
        }
        if (n.label === "right") fail(`${every} on a date with label "right": the period's end is no date; cast("timestamp") first`, outputName(n));
      }
      return t;
    },
    parse: (n) => {
      const t = sub(n.operand);
      if (t !== "varchar" && t !== "null") fail(`str.${n.to === "date" ? "toDate" : "toDatetime"}() needs text, got ${t}`, outputName(n));
      return n.to;
    },
    offset: (n) => {
      const t = sub(n.operand);
      if (!isTemporal(t)) fail(`dt.offsetBy() needs a date or timestamp, got ${t}`, outputName(n));
      if (t === "date" && ["second", "minute", "hour"].includes(n.duration.unit)) {
        fail(`dt.offsetBy("${formatDuration(n.duration)}") on a date: a date moves by whole days; cast it to a timestamp first`, outputName(n));
      }
      return t;
    },
    func: (n) => {
      const types = n.args.map(sub);
      const result = SCALAR_TYPES[n.fn](types);
      if (result === undefined) fail(`${n.fn}() does not take (${types.join(", ")})`, outputName(n));
      const exponent = n.args[1];
      if (n.fn === "pow" && result === "bigint" && exponent?.kind === "literal" && Number(exponent.value) < 0) {
        // An integer power of an integer is an integer in Polars; a negative one would be a fraction.
        fail(`pow(${exponent.value}) of an integer: a negative exponent needs a double, e.g. col("x").cast("double").pow(${exponent.value})`, outputName(n));
      }
      return result!;
    },
    filtered: (n) => {
      if (mode !== "inAgg" && mode !== "typed") fail(`filter() on an expression only works inside an aggregation, e.g. col("x").filter(…).sum(); to drop rows, filter the frame`, outputName(n));
      const p = sub(n.predicate);
      if (p !== "boolean" && p !== "null") fail(`filter() needs a boolean condition, got ${p}`, outputName(n));
      return sub(n.operand);
    },
    sorted: (n) => {
      if (mode !== "typed" && mode !== "sortedAgg") fail(`sortBy() only goes with first() or last()`, outputName(n));
      const by = typeExpr(n.by, schema, where, mode === "typed" ? "typed" : "inAgg", output);
      if (by === "boolean") fail(`sortBy() needs an orderable key, got boolean`, outputName(n));
      return typeExpr(n.operand, schema, where, mode === "typed" ? "typed" : "inAgg", output);
    },
    window: (n) => {
      if (mode === "agg" || mode === "inAgg") fail(`window functions cannot be used inside agg(); compute them with withColumns() first`, outputName(n));
      const row = mode === "typed" ? "typed" : "row";
      n.partitionBy.forEach((e) => typeExpr(e, schema, where, row, output));
      n.orderBy.forEach((k) => typeExpr(k.expr, schema, where, row, output));
      if (needsOrder(n) && n.orderBy.length === 0) {
        fail(`${n.func.op === "agg" ? "a cumulative or rolling window" : n.func.op === "fill" ? "fillNull({ strategy })" : "shift()"} depends on row order: use .over(partition, { orderBy: "<column>" })`, outputName(n));
      }
      if (n.frame?.kind === "range") {
        const by = typeExpr(n.orderBy[0]!.expr, schema, where, row, output);
        if (!isTemporal(by)) fail(`a time-based rolling window needs a date or timestamp "by" column, got ${by}`, outputName(n));
        if (by === "date" && fixedMicros(n.frame.preceding)! % 86_400e6 !== 0) {
          fail(`a ${formatDuration(n.frame.preceding)} rolling window over a date column: use whole days`, outputName(n));
        }
      }
      if (n.func.op === "agg") return typeExpr(n.func.agg, schema, where, mode === "typed" ? "typed" : "agg", output);
      const t = typeExpr(n.func.operand, schema, where, row, output);
      if ((n.func.op === "lag" || n.func.op === "lead") && n.func.fillValue) {
        return commonType(t, n.func.fillValue.dtype) ?? fail(`shift() of ${t} cannot be filled with a ${n.func.fillValue.dtype}; cast one side`, outputName(n));
      }
      if (n.func.op === "lag" || n.func.op === "lead" || n.func.op === "fill") return t;
      return n.func.op === "rankAverage" ? "double" : "bigint";
    },
    agg: (n) => {
      if (mode === "row") fail(`${n.fn}() is an aggregation: use it inside groupBy(...).agg(...)`, outputName(n));
      if (mode === "inAgg") fail(`${n.fn}() is nested inside another aggregation`, outputName(n));
      if (n.operand === null) return "bigint";
      const ordered = n.fn === "first" || n.fn === "last";
      if (ordered && n.operand.kind !== "sorted") fail(`${n.fn}() needs an order: col("x").sortBy("<column>").${n.fn}()`, outputName(n));
      const t = typeExpr(n.operand, schema, where, mode === "typed" ? "typed" : ordered ? "sortedAgg" : "inAgg", output);
      if (n.other) {
        const u = typeExpr(n.other, schema, where, mode === "typed" ? "typed" : "inAgg", output);
        if (!isNumeric(u)) fail(`cannot take ${n.fn}() of ${u} "${outputName(n.other)}"; it needs a number`, outputName(n));
      }
      return aggType(n.fn, t, outputName(n), fail);
    },
    alias: (n) => sub(n.operand),
  });
}

function aggType(fn: string, t: InferredType, column: string, fail: (d: string, c?: string) => never): InferredType {
  switch (fn) {
    case "count":
      return "bigint";
    case "min":
    case "max":
      if (t === "boolean") fail(`${fn}() of boolean column "${column}" is not portable; cast it to integer`, column);
      return t;
    case "sum":
      if (!isNumeric(t)) fail(`cannot take sum() of ${t} column "${column}"; it needs a number`, column);
      return isIntegral(t) ? "bigint" : t;
    case "nUnique":
      return "bigint";
    case "product":
      if (!isNumeric(t)) fail(`cannot take cumProd() of ${t} column "${column}"; it needs a number`, column);
      return isIntegral(t) ? "bigint" : "double";
    case "any":
    case "all":
      if (t !== "boolean" && t !== "null") fail(`${fn}() needs booleans, got ${t} column "${column}"`, column);
      return "boolean";
    case "first":
    case "last":
      return t;
    default: // mean, std, var, median, quantile
      if (!isNumeric(t)) fail(`cannot take ${fn}() of ${t} column "${column}"; it needs a number`, column);
      return "double";
  }
}

function unify(types: InferredType[], what: string, column: string, fail: (d: string, c?: string) => never): InferredType {
  return types.reduce<InferredType>((acc, t) => commonType(acc, t) ?? fail(`${what} mixes ${acc} and ${t}; cast one side`, column), "null");
}


function checkKeyPair(key: JoinKey, left: Schema, right: Schema, where: Where, what: string): [InferredType, InferredType] {
  const l = findColumn(left, key.left);
  const r = findColumn(right, key.right);
  if (!l) throw new DefinitionError(`${what}() key "${key.left}" is not a column of the left frame (${columnNames(left).join(", ")})`, { ...where, column: key.left });
  if (!r) throw new DefinitionError(`${what}() key "${key.right}" is not a column of the right frame (${columnNames(right).join(", ")})`, { ...where, column: key.right });
  if (commonType(l.type, r.type) === undefined) {
    throw new DefinitionError(`${what}() cannot match ${l.type} "${key.left}" with ${r.type} "${key.right}"; cast one side`, { ...where, column: key.left });
  }
  return [l.type, r.type];
}

function joinSchema(node: JoinRel | AsofJoinRel, left: Schema, right: Schema, where: Where): Schema {
  const columns = joinColumns(node, columnNames(left), columnNames(right)).map((c) => ({
    name: c.name,
    // A coalesced key pair has a common type: checkKeyPair saw to it.
    type: c.side === "both" ? (commonType(findColumn(left, c.source)!.type, findColumn(right, c.other)!.type) as DType) : findColumn(c.side === "left" ? left : right, c.source)!.type,
  }));
  return unique(columns, where);
}

// Row-wise functions: the operand types each accepts and the type it returns.
const NUMERIC_SAME = (ts: InferredType[]) => (ts.every(isNumeric) ? ts.reduce((a, b) => commonType(a, b)!) : undefined);
const ALL_TEXT = (ts: InferredType[]) => ts.every((t) => t === "varchar" || t === "null");
const SCALAR_TYPES: Record<ScalarFn, (ts: InferredType[]) => InferredType | undefined> = {
  abs: NUMERIC_SAME,
  round: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  roundHalfEven: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  truncate: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  clip: NUMERIC_SAME,
  floor: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  ceil: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  sign: (ts) => (isNumeric(ts[0]!) ? ts[0] : undefined),
  sqrt: (ts) => (isNumeric(ts[0]!) ? "double" : undefined),
  ln: (ts) => (isNumeric(ts[0]!) ? "double" : undefined),
  // Polars: an integer raised to an integer power is an integer; anything else a double.
  pow: (ts) => (ts.every(isNumeric) ? (ts.every(isIntegral) ? "bigint" : "double") : undefined),
  exp: (ts) => (isNumeric(ts[0]!) ? "double" : undefined),
  log1p: (ts) => (isNumeric(ts[0]!) ? "double" : undefined),
  isNan: (ts) => (ts[0] === "double" ? "boolean" : undefined),
  isFinite: (ts) => (ts[0] === "double" ? "boolean" : undefined),
  fillNan: (ts) => (ts[0] === "double" && isNumeric(ts[1]!) ? "double" : undefined),
  floorDiv: (ts) => (ts.every(isNumeric) ? (ts.every(isIntegral) ? "bigint" : "double") : undefined),
  isIn: (ts) => (ts.slice(1).every((t) => commonType(ts[0]!, t) !== undefined) ? "boolean" : undefined),
  isBetween: (ts) => (ts.slice(1).every((t) => commonType(ts[0]!, t) !== undefined) ? "boolean" : undefined),
  lower: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  upper: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  contains: (ts) => (ALL_TEXT(ts) ? "boolean" : undefined),
  startsWith: (ts) => (ALL_TEXT(ts) ? "boolean" : undefined),
  endsWith: (ts) => (ALL_TEXT(ts) ? "boolean" : undefined),
  lenChars: (ts) => (ALL_TEXT(ts) ? "bigint" : undefined),
  concat: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  slice: (ts) => (ALL_TEXT(ts.slice(0, 1)) ? "varchar" : undefined),
  sliceFromEnd: (ts) => (ALL_TEXT(ts.slice(0, 1)) ? "varchar" : undefined),
  stripChars: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  padStart: (ts) => (ALL_TEXT([ts[0]!, ts[2]!]) ? "varchar" : undefined),
  padEnd: (ts) => (ALL_TEXT([ts[0]!, ts[2]!]) ? "varchar" : undefined),
  zfill: (ts) => (ALL_TEXT(ts.slice(0, 1)) ? "varchar" : undefined),
  head: (ts) => (ALL_TEXT(ts.slice(0, 1)) ? "varchar" : undefined),
  tail: (ts) => (ALL_TEXT(ts.slice(0, 1)) ? "varchar" : undefined),
  replaceAll: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  splitPart: (ts) => (ALL_TEXT(ts.slice(0, 2)) ? "varchar" : undefined),
  splitPartFromEnd: (ts) => (ALL_TEXT(ts.slice(0, 2)) ? "varchar" : undefined),
  containsRegex: (ts) => (ALL_TEXT(ts) ? "boolean" : undefined),
  replaceAllRegex: (ts) => (ALL_TEXT(ts) ? "varchar" : undefined),
  extract: (ts) => (ALL_TEXT(ts.slice(0, 3)) ? "varchar" : undefined),
  year: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  month: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  day: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  hour: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  quarter: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  minute: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  second: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  weekday: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  millisecond: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  microsecond: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  isoWeek: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  isoYear: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  ordinalDay: (ts) => (isTemporal(ts[0]!) ? "integer" : undefined),
  toDate: (ts) => (isTemporal(ts[0]!) ? "date" : undefined),
  epochMicros: (ts) => (isTemporal(ts[0]!) ? "bigint" : undefined),
  monthStart: (ts) => (isTemporal(ts[0]!) ? ts[0] : undefined),
  monthEnd: (ts) => (isTemporal(ts[0]!) ? ts[0] : undefined),
  daysBetween: (ts) => (ts.every(isTemporal) ? "bigint" : undefined),
};

/** Window functions that depend on the order of rows: without `over(…, { orderBy })` they would be arbitrary. */
function needsOrder(n: WindowExpr): boolean {
  return n.func.op === "lag" || n.func.op === "lead" || n.func.op === "fill" || n.frame?.kind === "rows";
}
