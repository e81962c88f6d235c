import type { SourceLocation } from "./ir/definitions.ts";

/**
 * Every error the tool reports on purpose. `exitCode` is what the CLI exits with; the classes are the documented
 * failure kinds (README, "Exit codes").
 */
export abstract class FeatureBackfillError extends Error {
  abstract readonly exitCode: number;
  override name = this.constructor.name;
}

/** Bad command-line input: an option, a date, a set name. */
export class UsageError extends FeatureBackfillError {
  readonly exitCode = 2;
}

/** `features.config.json` is missing or invalid. */
export class ConfigError extends FeatureBackfillError {
  readonly exitCode = 3;
}

/** A feature module or definition is wrong: found before the warehouse is touched. */
export class DefinitionError extends FeatureBackfillError {
  readonly exitCode = 4;
  constructor(
    readonly detail: string,
    readonly where: DefinitionPlace = {},
    options?: ErrorOptions,
  ) {
    super(formatDefinitionMessage(detail, where), options);
  }
}

/** The warehouse refused or failed a statement; the chunk's transaction was rolled back. */
export class RunError extends FeatureBackfillError {
  readonly exitCode = 5;
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
  readonly exitCode = 130;
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
