#!/usr/bin/env node
// Feature modules are TypeScript the user does not build: tsx's loader runs them (and this package) as they are.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/process-main.ts");
