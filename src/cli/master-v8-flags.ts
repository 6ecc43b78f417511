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
 *
 * The master also runs in V8's interpreter only (no Sparkplug, Maglev or TurboFan code) and
 * sizes its heap for memory (`--optimize-for-size`): what `--lite-mode` does, which cannot be
 * turned on at run time (V8 crashed). Its JavaScript is cold: a reconcile every second, IPC,
 * a stats document when asked; no request runs in it. An idle master after a load: 15.0 MiB
 * PSS against 17.3 (docs/design-notes.md, "Memory"). These are read when a function is
 * compiled or tiered up, so set before the master's modules load they apply to all of them.
 * Left out when the user names any of them.
 */
import v8 from 'node:v8';
import { flagName } from '../shared/node-args';

const YOUNG_FLAGS = new Set(['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size']);
const TIER_FLAGS = new Set(['opt', 'turbofan', 'sparkplug', 'maglev', 'optimize-for-size', 'lite-mode', 'jitless', 'always-sparkplug', 'always-turbofan']);
const INTERPRETER_ONLY = ['--no-opt', '--no-sparkplug', '--no-maglev', '--optimize-for-size'];

/** The flags the master sets on itself, given its execArgv and NODE_OPTIONS (pure). */
export function masterV8Flags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const named = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName);
  const names = (set: ReadonlySet<string>): boolean => named.some((n) => n !== null && set.has(n));
  return [...(names(YOUNG_FLAGS) ? [] : ['--semi-space-growth-factor=1']), ...(names(TIER_FLAGS) ? [] : INTERPRETER_ONLY)];
}

/** Sets the master's flags on this process; returns them. */
export function applyMasterV8Flags(): string[] {
  const flags = masterV8Flags(process.execArgv, process.env.NODE_OPTIONS);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}
