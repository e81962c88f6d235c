/**
 * The public API of feature-backfill: the DSL feature modules import, and the programmatic entry points.
 */
export { col, lit, len, when, coalesce, concatStr, corr, cov, Expr, LazyFrame, GroupBy, concat, source, featureSet } from "./dsl/index.ts";
export type { IntoExpr, SourceOptions, FeatureSetOptions } from "./dsl/index.ts";
export type { DType } from "./ir/dtype.ts";
export type { SourceDef, FeatureSetDef } from "./ir/definitions.ts";
export { runDoctor, doctorStatements, doctorPassed, DOCTOR_CASES, type DoctorReport, type CaseResult, type DoctorOptions } from "./doctor/doctor.ts";
export { runBackfill, planFromConfig, loadProject, type BackfillRequest } from "./backfill/run-backfill.ts";
export { buildDataset, type DatasetRequest, type DatasetResult, type DatasetSummary } from "./dataset/run-dataset.ts";
export { parseWindow, type TimeWindow } from "./backfill/window.ts";
export { evaluate, type EvaluateOptions, type FixtureRow, type FixtureValue, type ResultValue } from "./testing/evaluate.ts";
export { FeatureBackfillError, UsageError, ConfigError, DefinitionError, RunError, InterruptedError, LeakageError, IncompleteError } from "./errors.ts";
export { createOnlineClient, type OnlineClient, type OnlineClientConfig, type GetOptions, type OnlineResult } from "./online/online-client.ts";
export type { OnlineStore, OnlineStoreSettings } from "./online/online-store.ts";
