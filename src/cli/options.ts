import { Option } from "commander";
import { DEFAULT_CONFIG_FILE } from "../config/config.ts";

/** `-c, --config <path>`, as every command that reads the project takes it. */
export const configOption = (): Option => new Option("-c, --config <path>", "config file").default(DEFAULT_CONFIG_FILE);

/** For repeatable options. No default value: commander would count an empty default as a required option given. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--select`, `--exclude` and `--all` (src/graph/selection.ts), beside a command's `--set`. */
export function selectionOptions(): Option[] {
  return [
    new Option("--select <selector>", "sets by name, glob ('*_spend'), tag:NAME, +name (with what it reads), name+ (with what reads it); repeat for a union").argParser(collect),
    new Option("--exclude <selector>", "leave out the sets a selector names (same forms as --select; repeatable)").argParser(collect),
    new Option("--all", "every feature set"),
  ];
}

export interface SelectionFlags {
  set?: string[];
  select?: string[];
  exclude?: string[];
  all?: boolean;
}

/** The flags as a selection request. */
export const selectionOf = (options: SelectionFlags) => ({ sets: options.set, select: options.select, exclude: options.exclude, all: options.all });
