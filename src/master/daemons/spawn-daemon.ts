/**
 * Starts one daemon's process: `/bin/sh -c COMMAND` as uWSGI runs it, in a session and process
 * group of its own (so its stop signal reaches whatever the command started, and a Ctrl-C to
 * the master's group does not), stdin from /dev/null, stdout and stderr to the master's logto
 * file when there is one (else the master's own), with the app's environment, chdir and
 * uid/gid (a master that dropped root already runs as them).
 *
 * A plain daemon must not outlive its master even when the master is killed outright: it is
 * started through util-linux's `setpriv --pdeathsig KILL`, the PR_SET_PDEATHSIG that uWSGI sets
 * in its fork (Node's spawn has no such option). The signal is the process's own, not its
 * children's, and dash forks even a lone command: a simple command (no shell syntax) is run as
 * `exec COMMAND`, so the command itself is the process that gets it. A command line with shell
 * syntax keeps sh as its parent; a killed master then leaves what sh started running (its stop
 * signal, at any other stop, reaches the whole process group). Without setpriv, only a master
 * that stops (or crashes) stops its daemons. A smart daemon is meant to outlive its master: no
 * death signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Config, DaemonSpec } from '../../shared/config';
import { workerCredentials } from '../credentials';
import { describeSpawnFailure, started } from '../spawn-failure';

const SETPRIV = '/usr/bin/setpriv';
let setprivAvailable: boolean | undefined;

export function spawnDaemon(spec: DaemonSpec, config: Config, onFailed: (message: string) => void): ChildProcess | undefined {
  const cwd = spec.chdir ?? config.chdir;
  const failed = (err: unknown): void => onFailed(describeSpawnFailure(err, cwd, '/bin/sh').message);
  const argv = ['/bin/sh', '-c', isSimpleCommand(spec.command) ? `exec ${spec.command}` : spec.command];
  if (spec.pidfile === undefined && canSetDeathSignal()) argv.unshift(SETPRIV, '--pdeathsig', 'KILL', '--');
  const out = openLog(config.logto);
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), {
      detached: true,
      stdio: ['ignore', out ?? 'inherit', out ?? 'inherit'],
      env: { ...process.env, ...Object.fromEntries(config.env) },
      cwd,
      ...workerCredentials(config),
    });
  } catch (err) {
    failed(err);
    return undefined;
  } finally {
    if (out !== undefined) fs.closeSync(out);
  }
  if (!started(child, failed)) return undefined;
  // Errors after the start (a signal to a process already gone) are not the master's business.
  child.on('error', () => undefined);
  return child;
}

/** Words of plain characters only, the first not an assignment: `exec` may take its place. */
export function isSimpleCommand(command: string): boolean {
  return /^[\w./:,@+%=-]+(\s+[\w./:,@+%=-]+)*$/.test(command.trim()) && !command.trim().split(/\s/)[0].includes('=');
}

function canSetDeathSignal(): boolean {
  setprivAvailable ??= fs.existsSync(SETPRIV);
  return setprivAvailable;
}

/** The daemon writes where the master's log goes; a log that cannot be opened leaves it on stdout. */
function openLog(logto: string | undefined): number | undefined {
  if (logto === undefined) return undefined;
  try {
    return fs.openSync(logto, 'a');
  } catch {
    return undefined;
  }
}
