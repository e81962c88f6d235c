import { expect } from "vitest";
import { firstDifference } from "../../src/conformance/compare-rows.ts";

export { DOUBLE_TOLERANCE } from "../../src/conformance/compare-rows.ts";

/**
 * Asserts two result sets hold the same rows (order-insensitive), as `doctor` judges them
 * (src/conformance/compare-rows.ts): doubles within DOUBLE_TOLERANCE relative error.
 */
export function expectSameRows(actual: Record<string, unknown>[], expected: Record<string, unknown>[], label = "rows"): void {
  const difference = firstDifference(actual, expected);
  if (difference) expect.fail(`${label}: ${difference}`);
}
