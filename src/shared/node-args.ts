/**
 * The Node.js options a worker or mule process starts with, and the heap limits of an app
 * thread. tsuwsgi sets a few V8 flags of its own, each for a measured memory saving at a CPU
 * cost within noise (docs/design-notes.md, "Memory"):
 * - `--max-semi-space-size`: Node's young generation (two semi-spaces, 16 MB each and more on
 *   64-bit since Node 22) fills under load and stays committed; a server that sees one
 *   short-lived request at a time gains little from it and pays it in every process and thread.
 *   `auto` is 4 MB where an idle worker gives it back (V8 12+, idle-gc on: the idle collection
 *   shrinks it to its minimum) and 1 MB elsewhere: each scavenge has a fixed cost, so 4 MB
 *   takes ~3 µs of GC pause off a request behind nginx against 1 MB (design-notes.md).
 * - `--no-concurrent-recompilation`: V8 compiles hot functions (Maglev, TurboFan) on background
 *   threads, and glibc keeps each thread's freed compile memory in that thread's arena: ~12 MB
 *   per Node 24 worker after the bench's load. Compiled on the worker's own thread it is freed
 *   where it was taken; the compiles happen once, while the code warms up.
 * Each is left out when the user names its flag, in either polarity, in node-args, the master's
 * execArgv or NODE_OPTIONS; node-args come last, so they win anyway.
 */
import type { Config } from './config';

type SemiSpaceConfig = Pick<Config, 'maxSemiSpaceSize' | 'idleGc'>;

/** Which process a setting is for: a worker (and its app threads) collects when idle, a mule does not. */
export type ChildRole = 'worker' | 'mule';

/** The V8 major version this process runs, which its children run too (they are this binary). */
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

/**
 * max-semi-space-size in MB for a child (0: Node's own). `auto`: 4 where the idle collection
 * gives the young generation back (V8 12+ with `flavor: 'last-resort'`, full-gc.ts; idle-gc
 * on; a worker), else 1.
 */
export function semiSpaceFor(config: SemiSpaceConfig, role: ChildRole, v8Major = V8_MAJOR): number {
  if (config.maxSemiSpaceSize !== 'auto') return config.maxSemiSpaceSize;
  return role === 'worker' && config.idleGc > 0 && v8Major >= 12 ? 4 : 1;
}

/** tsuwsgi's own flags: the flag's name, and its setting for a config (null: none). */
const DEFAULT_FLAGS: readonly { name: string; arg: (config: SemiSpaceConfig, role: ChildRole) => string | null }[] = [
  {
    name: 'max-semi-space-size',
    arg: (c, role) => {
      const mb = semiSpaceFor(c, role);
      return mb > 0 ? `--max-semi-space-size=${mb}` : null;
    },
  },
  { name: 'concurrent-recompilation', arg: () => '--no-concurrent-recompilation' },
];

/** node-args settings split on spaces, in order (an empty setting gives nothing). */
export function splitNodeArgs(settings: readonly string[]): string[] {
  return settings.flatMap((s) => s.split(/\s+/).filter((a) => a !== ''));
}

/**
 * The flag an option names, as V8 reads it: without dashes, `no-` or a value, `_` as `-`
 * (`--no_concurrent_recompilation` and `--concurrent-recompilation=0` both name
 * `concurrent-recompilation`); null for what is not an option.
 */
export function flagName(arg: string): string | null {
  if (!arg.startsWith('--') || arg === '--') return null;
  const name = arg.slice(2).split('=', 1)[0].replace(/_/g, '-');
  return name.startsWith('no-') ? name.slice(3) : name;
}

/**
 * The execArgv of a worker or mule: the master's own (a loader it was started with must reach
 * the app too), then tsuwsgi's own flags the user did not name, then node-args.
 */
export function childExecArgv(
  config: Pick<Config, 'nodeArgs' | 'maxSemiSpaceSize' | 'idleGc' | 'env'>, role: ChildRole, masterExecArgv: readonly string[], nodeOptions: string | undefined,
): string[] {
  const user = splitNodeArgs(config.nodeArgs);
  const envOptions = config.env.find(([k]) => k === 'NODE_OPTIONS')?.[1] ?? nodeOptions ?? '';
  const named = new Set([...masterExecArgv, ...user, ...envOptions.split(/\s+/)].map(flagName));
  const ours = DEFAULT_FLAGS.filter((f) => !named.has(f.name)).map((f) => f.arg(config, role)).filter((a): a is string => a !== null);
  return [...masterExecArgv, ...ours, ...user];
}

/**
 * worker_threads resource limits for an app thread: the same young generation as the process's
 * (V8 sizes it as three semi-spaces: two for the scavenger, one for new large objects).
 */
export function appThreadLimits(config: SemiSpaceConfig): { maxYoungGenerationSizeMb?: number } {
  const mb = semiSpaceFor(config, 'worker');
  return mb > 0 ? { maxYoungGenerationSizeMb: mb * 3 } : {};
}
