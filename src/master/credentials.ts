/**
 * Which ids the workers are forked with, and whether this master may do so at all. Kept apart
 * from privileges.ts (the preparation before the first fork) so spawn-worker.ts can use it.
 */
import type { Config } from '../shared/config';
import { TsuwsgiError } from '../shared/errors';

export interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** fork's uid/gid options: absent keys leave that id alone. */
export interface Credentials {
  uid?: number;
  gid?: number;
}

function currentIds(): Ids {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/**
 * What the workers are forked with. A root master passes what is configured; anyone else
 * passes nothing (checkCanSwitch has made sure the configured ids are its own then).
 */
export function workerCredentials(config: Pick<Config, 'uid' | 'gid'>, current: Ids = currentIds()): Credentials {
  if (current.uid !== 0) return {};
  const creds: Credentials = {};
  if (config.uid !== undefined) creds.uid = config.uid;
  if (config.gid !== undefined) creds.gid = config.gid;
  return creds;
}

/** Only root may fork workers as another user; anyone else gets this one line, not fork's EPERM. */
export function checkCanSwitch(config: Pick<Config, 'uid' | 'gid'>, current: Ids = currentIds()): void {
  if (current.uid === 0) return;
  const wrong: string[] = [];
  if (config.uid !== undefined && config.uid !== current.uid) wrong.push(`uid ${config.uid}`);
  if (config.gid !== undefined && config.gid !== current.gid) wrong.push(`gid ${config.gid}`);
  if (wrong.length === 0) return;
  throw new TsuwsgiError(
    'E_PRIVILEGES',
    `${wrong.join(' and ')} asked, but tsuwsgi runs as uid ${current.uid} gid ${current.gid}, not root: only a root master can run the workers as another user; start it as root or remove uid/gid`,
  );
}
