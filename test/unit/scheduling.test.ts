import { describe, expect, it } from "vitest";
import { splitWindow } from "../../src/backfill/chunks.ts";
import { resolveInstant, resolveTrailingWindow } from "../../src/backfill/relative-time.ts";
import { UsageError } from "../../src/errors.ts";

const NOW = new Date("2025-03-31T14:30:00Z"); // a Monday
const iso = (t: Date) => t.toISOString();

describe("relative window bounds, resolved against one clock reading", () => {
  it.each([
    ["today", "2025-03-31T00:00:00.000Z"],
    ["now", "2025-03-31T14:30:00.000Z"],
    ["today-1d", "2025-03-30T00:00:00.000Z"],
    ["now-6h", "2025-03-31T08:30:00.000Z"],
    ["today-1mo", "2025-02-28T00:00:00.000Z"], // March 31 minus a month clamps to February's end
    ["today-1mo+2d", "2025-03-02T00:00:00.000Z"],
    ["today-2w", "2025-03-17T00:00:00.000Z"],
    ["2025-01-15", "2025-01-15T00:00:00.000Z"],
  ])("%s", (text, expected) => {
    expect(iso(resolveInstant(text, NOW, "--start"))).toBe(expected);
  });

  it.each(["yesterday", "today-1", "today - 1d", "today-1x", "TODAY"])("rejects %s", (text) => {
    expect(() => resolveInstant(text, NOW, "--end")).toThrow(UsageError);
    expect(() => resolveInstant(text, NOW, "--end")).toThrow(/--end .* is not an ISO date .* now\/today with offsets/);
  });

  it.each([
    ["1d", 0, "2025-03-30T00:00:00.000Z", "2025-03-31T00:00:00.000Z"],
    ["1d", 2, "2025-03-28T00:00:00.000Z", "2025-03-31T00:00:00.000Z"],
    ["1w", 0, "2025-03-24T00:00:00.000Z", "2025-03-31T00:00:00.000Z"],
    ["1mo", 0, "2025-02-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ["1mo", 1, "2025-01-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ["1q", 0, "2024-10-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
  ])("--window %s --lag %i covers the last complete periods", (window, lag, start, end) => {
    const w = resolveTrailingWindow(window, lag, NOW);
    expect([iso(w.start), iso(w.end)]).toEqual([start, end]);
  });

  it("rejects windows that are not whole periods, and negative lags", () => {
    expect(() => resolveTrailingWindow("6h", 0, NOW)).toThrow(/--window "6h" must be whole days/);
    expect(() => resolveTrailingWindow("1d", -1, NOW)).toThrow(/--lag must be a whole number/);
  });
});

describe("chunks at calendar boundaries", () => {
  const window = { start: new Date("2025-01-15T00:00:00Z"), end: new Date("2025-03-10T06:00:00Z") };
  const bounds = (every?: string) => splitWindow(window, every).map((c) => [iso(c.start).slice(0, 16), iso(c.end).slice(0, 16)]);

  it("splits at month starts, keeping partial chunks at the edges", () => {
    expect(bounds("1mo")).toEqual([
      ["2025-01-15T00:00", "2025-02-01T00:00"],
      ["2025-02-01T00:00", "2025-03-01T00:00"],
      ["2025-03-01T00:00", "2025-03-10T06:00"],
    ]);
  });

  it("splits at ISO weeks and quarters; no chunk size is one chunk", () => {
    expect(bounds("1w")[0]).toEqual(["2025-01-15T00:00", "2025-01-20T00:00"]);
    expect(bounds("1w")).toHaveLength(9);
    expect(bounds("1q")).toEqual([["2025-01-15T00:00", "2025-03-10T06:00"]]);
    expect(bounds()).toEqual([["2025-01-15T00:00", "2025-03-10T06:00"]]);
  });

  it("covers the window exactly, without gaps or overlaps", () => {
    const chunks = splitWindow(window, "1d");
    expect(chunks).toHaveLength(55);
    chunks.slice(1).forEach((c, i) => expect(c.start).toEqual(chunks[i]!.end));
    expect(chunks.at(-1)!.end).toEqual(window.end);
  });

  it("rejects unknown chunk sizes", () => {
    expect(() => splitWindow(window, "2mo")).toThrow(/--chunk "2mo" must be one of 1d, 1w, 1mo, 1q, 1y/);
  });
});
