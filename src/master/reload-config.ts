/**
 * What a reload may change. New workers take the re-read configuration, except what lives in
 * the master itself (sockets, privileges, log file, pidfile, fifo, stats): those keep their
 * running values and are listed so the master can say a restart is needed. Most of them were
 * made while the master was root; a master that dropped root could not remake them anyway.
 */
import type { Config } from '../shared/config';

const NEEDS_RESTART = [
  'socket', 'httpSocket', 'listen', 'noDeferAccept', 'chmodSocket', 'chownSocket', 'uid', 'gid', 'masterAsRoot', 'allowWritableDirs',
  'logto', 'pidfile', 'masterFifo', 'vacuum', 'stats', 'statsHttp', 'statsChmod',
  // The master's cron table is built once (a run in progress would have to be carried over).
  'cron',
] as const satisfies readonly (keyof Config)[];

export interface Reloaded {
  readonly config: Config;
  /** Options whose new value is ignored until a restart. */
  readonly needRestart: readonly string[];
}

export function mergeReloaded(running: Config, reread: Config): Reloaded {
  const needRestart: string[] = [];
  const kept: Record<string, unknown> = {};
  for (const key of NEEDS_RESTART) {
    if (JSON.stringify(running[key]) !== JSON.stringify(reread[key])) needRestart.push(key);
    kept[key] = running[key];
  }
  return { config: Object.freeze({ ...reread, ...kept }) as Config, needRestart };
}
