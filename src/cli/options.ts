import { Option } from "commander";
import { DEFAULT_CONFIG_FILE } from "../config/config.ts";

/** `-c, --config <path>`, as every command that reads the project takes it. */
export const configOption = (): Option => new Option("-c, --config <path>", "config file").default(DEFAULT_CONFIG_FILE);

/** For repeatable options. No default value: commander would count an empty default as a required option given. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
