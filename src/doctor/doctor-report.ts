import type { CaseResult, DoctorReport } from "./doctor.ts";

/** One line per construct: its status, name, and what differs or why it was refused. */
export function formatResult(r: CaseResult): string {
  const detail = r.detail ? `: ${r.detail}` : "";
  const fallback = r.fallback ? ` (fallback: ${r.fallback})` : "";
  return `${r.status.padEnd(11)} ${r.name}${detail}${fallback}`;
}

export function summarise(report: DoctorReport): Record<"ok" | "differs" | "refused" | "unsupported", number> {
  const count = (status: CaseResult["status"]) => report.results.filter((r) => r.status === status).length;
  return { ok: count("ok"), differs: count("differs"), refused: count("refused"), unsupported: count("unsupported") };
}

export function formatSummary(report: DoctorReport): string {
  const s = summarise(report);
  const cleanup = report.cleanedUp ? `scratch schema ${report.schema} dropped` : `could not drop the scratch schema ${report.schema}: drop it by hand`;
  return (
    `${report.results.length} constructs on ${report.engine} against embedded DuckDB: ${s.ok} ok, ${s.differs} differ, ${s.refused} refused` +
    `${s.unsupported ? `, ${s.unsupported} unsupported by the dialect (refused when planning)` : ""}; ${(report.durationMs / 1000).toFixed(1)} s; ${cleanup}`
  );
}
