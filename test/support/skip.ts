/**
 * Suites that need what a machine may lack (root, a tool, Debian's nobody, network namespaces)
 * skip where they cannot run, and say why on the console next to mocha's pending marks. Under CI
 * (the CI variable set, as .ci/run and CI services do) the run is root with every tool installed,
 * so a skip there is a broken machine or a broken check: it fails instead.
 */
import { Hook, type Context } from 'mocha';

export function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/** `why` undefined: the test runs. Otherwise it is skipped with the reason, or fails under CI. */
export function skipUnless(ctx: Context, why: string | undefined): void {
  if (why === undefined) return;
  // In a before hook, ctx.test is the hook: name its suite.
  const t = ctx.test;
  const where = (t instanceof Hook ? t.parent?.fullTitle() : t?.fullTitle()) ?? 'a test';
  if (underCi()) throw new Error(`cannot run under CI: ${why} (${where})`);
  console.log(`      skipped: ${why} (${where})`);
  ctx.skip();
}

export function whyNotRoot(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'needs root';
}
