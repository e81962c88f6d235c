export { col, lit, len, when, Expr, type IntoExpr } from "./expr.ts";
export { LazyFrame, GroupBy } from "./frame.ts";
export { source, featureSet, type SourceOptions, type FeatureSetOptions } from "./definitions.ts";
