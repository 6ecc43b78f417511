/**
 * The master's own V8 setting, applied by bin/tsuwsgi before anything else loads.
 *
 * The user starts the master (`node`, `npx`, systemd), so tsuwsgi cannot put flags on its
 * command line; v8.setFlagsFromString is the only way in. Only a flag V8 reads again at run
 * time works that way: `--semi-space-growth-factor` is read each time the young generation
 * would grow. At 1, the master's young generation stays at its initial size (1 MB per
 * semi-space) instead of doubling when objects survive a scavenge, as they do while the master
 * loads its modules and spawns workers; after a load it held 4 MB against 1.75 for a Node
 * cluster's primary (docs/design-notes.md, "Memory"). The master allocates little once
 * started and serves no request, so a smaller young generation costs it a few more, small
 * scavenges.
 *
 * Left out when the user sizes the young generation themselves, in the master's execArgv or
 * NODE_OPTIONS.
 */
import v8 from 'node:v8';
import { flagName } from '../shared/node-args';

const YOUNG_FLAGS = new Set(['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size']);

/** The flags the master sets on itself, given its execArgv and NODE_OPTIONS (pure). */
export function masterV8Flags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const named = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName);
  return named.some((n) => n !== null && YOUNG_FLAGS.has(n)) ? [] : ['--semi-space-growth-factor=1'];
}

/** Sets the master's flags on this process; returns them. */
export function applyMasterV8Flags(): string[] {
  const flags = masterV8Flags(process.execArgv, process.env.NODE_OPTIONS);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}
