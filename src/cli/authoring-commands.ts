import type { Command } from "commander";
import type { Output } from "./reporter.ts";
import { describeCommand } from "./describe-command.ts";
import { graphCommand } from "./graph-command.ts";
import { initCommand } from "./init-command.ts";
import { validateCommand } from "./validate-command.ts";

/** The commands for writing and inspecting features (none of them writes to the warehouse). */
export const authoringCommands = (out: Output): Command[] => [validateCommand(out), describeCommand(out), graphCommand(out), initCommand(out)];
