/**
 * The Node.js options a worker or mule process starts with, and the heap limits of an app
 * thread. Node's young generation (two semi-spaces, 16 MB each and more on 64-bit since Node
 * 22) fills under load and stays committed: a server that sees one short-lived request at a
 * time gains little from it and pays it in every process and every thread (the figures are in
 * docs/design-notes.md, "Memory"). So tsuwsgi sets max-semi-space-size unless the user set the
 * flag already, in node-args or in NODE_OPTIONS; node-args come last, so they win.
 */
import type { Config } from './config';

const SEMI_SPACE_FLAG = '--max-semi-space-size';

/** node-args settings split on spaces, in order (an empty setting gives nothing). */
export function splitNodeArgs(settings: readonly string[]): string[] {
  return settings.flatMap((s) => s.split(/\s+/).filter((a) => a !== ''));
}

/**
 * The execArgv of a worker or mule: the master's own (a loader it was started with must reach
 * the app too), then tsuwsgi's young-generation default, then node-args.
 */
export function childExecArgv(config: Pick<Config, 'nodeArgs' | 'maxSemiSpaceSize' | 'env'>, masterExecArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const user = splitNodeArgs(config.nodeArgs);
  const envOptions = config.env.find(([k]) => k === 'NODE_OPTIONS')?.[1] ?? nodeOptions ?? '';
  const setByUser = [...masterExecArgv, ...user, ...envOptions.split(/\s+/)].some((a) => a === SEMI_SPACE_FLAG || a.startsWith(`${SEMI_SPACE_FLAG}=`));
  const ours = config.maxSemiSpaceSize > 0 && !setByUser ? [`${SEMI_SPACE_FLAG}=${config.maxSemiSpaceSize}`] : [];
  return [...masterExecArgv, ...ours, ...user];
}

/**
 * worker_threads resource limits for an app thread: the same young generation as the process's
 * (V8 sizes it as three semi-spaces: two for the scavenger, one for new large objects).
 */
export function appThreadLimits(config: Pick<Config, 'maxSemiSpaceSize'>): { maxYoungGenerationSizeMb?: number } {
  return config.maxSemiSpaceSize > 0 ? { maxYoungGenerationSizeMb: config.maxSemiSpaceSize * 3 } : {};
}
