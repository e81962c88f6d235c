import type { SourceLocation } from "./ir/definitions.ts";

/** The CLI's exit codes (README, "Exit codes"); each error class below carries its own. */
export const EXIT_CODES = { ok: 0, internal: 1, usage: 2, config: 3, definition: 4, run: 5, interrupted: 130 } as const;

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
  constructor(
    readonly detail: string,
    readonly where: DefinitionPlace = {},
    options?: ErrorOptions,
  ) {
    super(formatDefinitionMessage(detail, where), options);
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
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
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
}

function formatDefinitionMessage(detail: string, where: DefinitionPlace): string {
  const column = where.column && !detail.includes(`"${where.column}"`) ? `column "${where.column}": ` : "";
  const subject = [
    where.set && `feature set "${where.set}"`,
    where.source && `source "${where.source}"`,
    where.at && `(${formatLocation(where.at)})`,
  ]
    .filter(Boolean)
    .join(" ");
  return subject ? `${subject}: ${column}${detail}` : `${column}${detail}`;
}
