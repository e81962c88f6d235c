export { col, lit, len, when, coalesce, concatStr, corr, cov, Expr, type IntoExpr, type RollingOptions } from "./expr.ts";
export { LazyFrame, GroupBy, concat } from "./frame.ts";
export { source, featureSet, type SourceOptions, type FeatureSetOptions } from "./definitions.ts";
