import type { SourceLocation } from "./ir/definitions.ts";
import { originOf } from "./ir/origin.ts";

/** The CLI's exit codes (docs/cli.md, "Exit codes"); each error class below carries its own. */
export const EXIT_CODES = { ok: 0, internal: 1, usage: 2, config: 3, definition: 4, run: 5, connection: 6, partial: 7, busy: 8, ownership: 9, leakage: 10, incomplete: 11, interrupted: 130 } as const;

/** Every error the tool reports on purpose: the classes are the documented failure kinds. */
export abstract class FeatureBackfillError extends Error {
  abstract readonly exitCode: number;
  override name = this.constructor.name;
}

/** Bad command-line input: an option, a date, a set name. */
export class UsageError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.usage;
}

/** `features.config.json` is missing or invalid. */
export class ConfigError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.config;
}

/** A feature module or definition is wrong: found before the warehouse is touched. */
export class DefinitionError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.definition;
  /** The line that built the offending expression, when the DSL recorded it. */
  readonly expressionAt?: SourceLocation;
  constructor(
    readonly detail: string,
    readonly where: DefinitionPlace = {},
    options?: ErrorOptions,
  ) {
    const expressionAt = where.expr && originOf(where.expr);
    super(formatDefinitionMessage(detail, where, expressionAt), options);
    this.expressionAt = expressionAt;
  }
}

/** A dialect cannot express an operation: found at compile time, before the warehouse is touched. */
export class UnsupportedError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.definition;
  constructor(
    readonly operation: string,
    readonly dialect: string,
  ) {
    super(`${operation} is not supported by the ${dialect} dialect`);
  }
}

/** The warehouse refused or failed a statement; the chunk's transaction was rolled back. */
export class RunError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.run;
  constructor(
    message: string,
    readonly sql?: string,
    options?: ErrorOptions & {
      /** A failure worth retrying (a lost connection, a lock timeout), as the engine classifies it. */
      transient?: boolean;
    },
  ) {
    super(message, options);
    this.transient = options?.transient ?? false;
  }
  readonly transient: boolean;
}

/** With `--keep-going`: some chunks failed (rolled back) while others were written. */
export class PartialFailureError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.partial;
}

/** Another run holds the set's window (a lease in the ledger) or the warehouse file: try again later. */
export class BusyError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.busy;
}

/**
 * A table the run would write is read as a source, or exists but was not created by this tool (no row in its
 * registry): refused before anything is written (`run --adopt-table` takes over a table whose columns match).
 */
export class OwnershipError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.ownership;
}

/** The warehouse could not be reached or refused the login: nothing was written (retry, or fix the credentials). */
export class ConnectionError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.connection;
}

/**
 * `dataset`: a feature set's rows can be known after their timestamp, so joining them as of an event's time would
 * put the future into training data (src/passes/known-at-pass.ts); `--allow-leakage` accepts it.
 */
export class LeakageError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.leakage;
}

/** `dataset`: the run ledger does not show a set backfilled, with its current definition, over the time the spine needs. */
export class IncompleteError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.incomplete;
}

/** The run was stopped by SIGINT/SIGTERM; the running chunk was rolled back. */
export class InterruptedError extends FeatureBackfillError {
  readonly exitCode = EXIT_CODES.interrupted;
}

export const formatLocation = (at: SourceLocation): string => (at.line ? `${at.file}:${at.line}` : at.file);

/** What a definition error is about: each part given is named in the message. */
export interface DefinitionPlace {
  readonly set?: string;
  readonly source?: string;
  readonly column?: string;
  readonly at?: SourceLocation;
  /** The IR expression node at fault: its origin (src/ir/origin.ts) is named too. */
  readonly expr?: object;
}

function formatDefinitionMessage(detail: string, where: DefinitionPlace, expressionAt?: SourceLocation): string {
  const column = where.column && !detail.includes(`"${where.column}"`) ? `column "${where.column}": ` : "";
  const subject = [
    where.set && `feature set "${where.set}"`,
    where.source && `source "${where.source}"`,
    where.at && `(${formatLocation(where.at)})`,
  ]
    .filter(Boolean)
    .join(" ");
  const built = expressionAt && !sameLocation(expressionAt, where.at) ? ` (expression at ${formatLocation(expressionAt)})` : "";
  return `${subject ? `${subject}: ` : ""}${column}${detail}${built}`;
}

function sameLocation(a: SourceLocation, b: SourceLocation | undefined): boolean {
  return a.file === b?.file && a.line === b.line;
}

/** The message of anything thrown (an Error's, else its text). */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
