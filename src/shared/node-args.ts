/**
 * The Node.js options a worker or mule process starts with, and the heap limits of an app
 * thread. tsuwsgi sets a few V8 flags of its own, each for a measured memory saving at a CPU
 * cost within noise (docs/design-notes.md, "Memory"):
 * - `--max-semi-space-size`: Node's young generation (two semi-spaces, 16 MB each and more on
 *   64-bit since Node 22) fills under load and stays committed; a server that sees one
 *   short-lived request at a time gains little from it and pays it in every process and thread.
 * - `--no-concurrent-recompilation`: V8 compiles hot functions (Maglev, TurboFan) on background
 *   threads, and glibc keeps each thread's freed compile memory in that thread's arena: ~12 MB
 *   per Node 24 worker after the bench's load. Compiled on the worker's own thread it is freed
 *   where it was taken; the compiles happen once, while the code warms up.
 * Each is left out when the user names its flag, in either polarity, in node-args, the master's
 * execArgv or NODE_OPTIONS; node-args come last, so they win anyway.
 */
import type { Config } from './config';

type DefaultsConfig = Pick<Config, 'maxSemiSpaceSize'>;

/** tsuwsgi's own flags: the flag's name, and its setting for a config (null: none). */
const DEFAULT_FLAGS: readonly { name: string; arg: (config: DefaultsConfig) => string | null }[] = [
  { name: 'max-semi-space-size', arg: (c) => (c.maxSemiSpaceSize > 0 ? `--max-semi-space-size=${c.maxSemiSpaceSize}` : null) },
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
export function childExecArgv(config: Pick<Config, 'nodeArgs' | 'maxSemiSpaceSize' | 'env'>, masterExecArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const user = splitNodeArgs(config.nodeArgs);
  const envOptions = config.env.find(([k]) => k === 'NODE_OPTIONS')?.[1] ?? nodeOptions ?? '';
  const named = new Set([...masterExecArgv, ...user, ...envOptions.split(/\s+/)].map(flagName));
  const ours = DEFAULT_FLAGS.filter((f) => !named.has(f.name)).map((f) => f.arg(config)).filter((a): a is string => a !== null);
  return [...masterExecArgv, ...ours, ...user];
}

/**
 * worker_threads resource limits for an app thread: the same young generation as the process's
 * (V8 sizes it as three semi-spaces: two for the scavenger, one for new large objects).
 */
export function appThreadLimits(config: Pick<Config, 'maxSemiSpaceSize'>): { maxYoungGenerationSizeMb?: number } {
  return config.maxSemiSpaceSize > 0 ? { maxYoungGenerationSizeMb: config.maxSemiSpaceSize * 3 } : {};
}
