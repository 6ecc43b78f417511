/**
 * A vassal's configuration as the vassal itself will read it: its file, with the Emperor's
 * vassals-include / vassals-inherit files layered through the same loader (`--include`,
 * `--inherit` on its command line), from its own directory. The Emperor reads it for two
 * things only: the vassal's stats address (for emperor-stats and `tsuwsgi top`), and whether a
 * changed file touches options a reload does not apply. A file it cannot read is the vassal's
 * to report: it starts anyway and logs its own one-line error.
 */
import path from 'node:path';
import { loadConfig, type CliEntry } from '../config';
import type { Config, EmperorConfig } from '../shared/config';
import { mergeReloaded } from '../master/reload-config';

/** The vassal's command-line arguments after bin/tsuwsgi. */
export function vassalArgs(file: string, emperor: Pick<EmperorConfig, 'vassalsInclude' | 'vassalsInherit'>): string[] {
  return [file, ...emperor.vassalsInclude.flatMap((f) => ['--include', f]), ...emperor.vassalsInherit.flatMap((f) => ['--inherit', f])];
}

export function readVassalConfig(file: string, emperor: Pick<EmperorConfig, 'vassalsInclude' | 'vassalsInherit'>, env: NodeJS.ProcessEnv): Config | undefined {
  const cli: CliEntry[] = [
    ...emperor.vassalsInclude.map((value) => ({ key: 'include', value })),
    ...emperor.vassalsInherit.map((value) => ({ key: 'inherit', value })),
  ];
  try {
    return loadConfig({ ini: file, cli, env: withoutListenFds(env), cwd: path.dirname(file) }).config;
  } catch {
    return undefined;
  }
}

/**
 * Options that changed and that a reload keeps at their running values (the master's own
 * list: sockets, uid/gid, logto, stats ...). In Emperor mode the file is the whole truth, so
 * such a change restarts the vassal rather than leaving it on, say, a socket its file no longer
 * names. Nothing when either side cannot be read: the reload then reports it.
 */
export function optionsNeedingRestart(running: Config | undefined, next: Config | undefined): string[] {
  if (running === undefined || next === undefined) return [];
  return [...mergeReloaded(running, next).needRestart];
}

/** Sockets systemd passed to the Emperor are not the vassal's. */
function withoutListenFds(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LISTEN_FDS: _fds, LISTEN_PID: _pid, LISTEN_FDNAMES: _names, ...rest } = env;
  return rest;
}
