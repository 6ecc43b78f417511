/**
 * Starting one vassal: `node bin/tsuwsgi FILE [--include F] [--inherit F]`, a whole tsuwsgi
 * master, as a child of the Emperor. It runs from its file's directory (uWSGI's Emperor chdirs
 * there too), with the Emperor's environment plus its link (vassal-link.ts), and logs to the
 * Emperor's stdout and stderr unless its own logto says otherwise. Under emperor-tyrant it is
 * started as its file's owner: libuv drops to that gid and uid, with no supplementary groups,
 * before exec, so no line of the vassal runs as root.
 *
 * Its stdin is a pipe the Emperor never writes: when the Emperor exits, however it exits, the
 * vassal reads EOF and stops gracefully.
 *
 * Each vassal gets its own session and process group, so the Emperor alone signals it: a
 * signal to the Emperor's group (a terminal's Ctrl-C, `timeout`, `kill -TERM -PGID`) would
 * otherwise reach every vassal too, and the Emperor's own SIGTERM right after would be a
 * second one, which a master takes as "stop now".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { EMPEROR_ENV } from './vassal-link';
import type { Credentials } from './tyrant';

export const VASSAL_BIN = path.join(__dirname, '..', '..', 'bin', 'tsuwsgi');

export interface VassalSpawn {
  readonly file: string;
  readonly args: readonly string[];
  readonly runAs: Credentials | undefined;
  /** NAME:TOKEN for the notify bridge. */
  readonly link: string;
}

/** The child, or an Error when it could not be started (the fork or exec failed). */
export function spawnVassal(s: VassalSpawn, onExit: (code: number | null, signal: NodeJS.Signals | null) => void): ChildProcess | Error {
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [VASSAL_BIN, ...s.args], {
      cwd: path.dirname(s.file),
      env: vassalEnv(process.env, s.link),
      stdio: ['pipe', 'inherit', 'inherit'],
      detached: true,
      ...(s.runAs === undefined ? {} : { uid: s.runAs.uid, gid: s.runAs.gid }),
    });
  } catch (err) {
    return err as Error;
  }
  if (child.pid === undefined) {
    // The error event follows on the next tick; the caller treats the start as failed now.
    child.on('error', () => undefined);
    return new Error('the vassal process could not be started (fork or exec failed)');
  }
  // A kill() or stdin write racing the exit: the 'exit' event tells the rest.
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.once('exit', onExit);
  return child;
}

/** The Emperor's environment, without what belongs to the Emperor alone (systemd's sockets). */
export function vassalEnv(env: NodeJS.ProcessEnv, link: string): NodeJS.ProcessEnv {
  const { LISTEN_FDS: _fds, LISTEN_PID: _pid, LISTEN_FDNAMES: _names, NOTIFY_SOCKET: _notify, ...rest } = env;
  return { ...rest, [EMPEROR_ENV]: link };
}
