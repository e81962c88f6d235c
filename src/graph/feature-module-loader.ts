/**
 * How feature modules — TypeScript nobody builds — become importable. Under vitest or tsx nothing needs doing. The
 * compiled CLI (bin/feature-backfill.js) sets a step that registers tsx's loader, run once, just before the first
 * feature module is imported: a command that loads none (`--help`) never pays for it, and the tool's own modules,
 * loaded before, never go through its hooks.
 */
let prepare: (() => Promise<void>) | undefined;
let prepared: Promise<void> | undefined;

export function onFirstFeatureImport(step: () => Promise<void>): void {
  prepare = step;
  prepared = undefined;
}

export function beforeFeatureImport(): Promise<void> {
  return (prepared ??= prepare ? prepare() : Promise.resolve());
}
