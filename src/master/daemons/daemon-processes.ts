/**
 * The process side of the daemon table: starts a daemon's process, signals its process group,
 * reads a smart daemon's pidfile, watches touch files; everything it learns comes back as an
 * event on the master's queue. The decisions are reconcile-daemons.ts's.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Config, DaemonSpec } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { MasterEvent } from '../events';
import { watchTouchFiles } from '../touch-watch';
import type { DaemonAction } from './reconcile-daemons';
import { isSmart, type DaemonRecord } from './daemon-table';
import { spawnDaemon } from './spawn-daemon';

export class DaemonProcesses {
  private readonly children = new Map<number, ChildProcess>();
  private readonly touchWatches = new Map<string, () => void>();

  constructor(
    private readonly log: Logger,
    private readonly post: (e: MasterEvent) => void,
  ) {}

  perform(a: DaemonAction, r: DaemonRecord | undefined, config: Config): void {
    if (r === undefined) return;
    switch (a.do) {
      case 'daemon-add':
      case 'daemon-forget':
        return this.told(a, r);
      case 'daemon-start':
        return this.start(r, config);
      case 'daemon-check':
        return this.post({ kind: 'daemon-pidfile', key: r.key, pid: livePidIn(r.spec.pidfile as string) });
      case 'daemon-touch-stop':
        return this.signal(r, r.spec.stopSignal);
      case 'daemon-renew':
        if (r.spec.reloadSignal !== undefined && r.pid !== undefined) {
          this.log.info({ event: 'daemon-reload-signal', daemon: r.id, daemonPid: r.pid, signal: r.spec.reloadSignal }, `daemon ${r.id} (pid ${r.pid}) keeps running through the reload: ${r.spec.reloadSignal}`);
          this.signal(r, r.spec.reloadSignal);
        }
        return;
      case 'daemon-stop':
        this.log.info({ event: 'daemon-stopping', daemon: r.id, daemonPid: r.pid, why: a.why, signal: r.spec.stopSignal }, `daemon ${r.id} (pid ${r.pid}): ${r.spec.stopSignal} (${a.why})`);
        return this.signal(r, r.spec.stopSignal);
      case 'daemon-kill':
        this.log.warn({ event: 'daemon-killed', daemon: r.id, daemonPid: r.pid }, `daemon ${r.id} (pid ${r.pid}) did not stop within the mercy: SIGKILL`);
        return this.signal(r, 'SIGKILL');
    }
  }

  /** Watches the touch files of `specs` (the running configuration's), and only those. */
  watchTouches(specs: readonly DaemonSpec[]): void {
    const files = new Set(specs.flatMap((s) => s.touch));
    for (const [file, stop] of this.touchWatches) {
      if (files.has(file)) continue;
      stop();
      this.touchWatches.delete(file);
    }
    for (const file of files) {
      if (!this.touchWatches.has(file)) this.touchWatches.set(file, watchTouchFiles([file], (f) => this.post({ kind: 'daemon-touched', file: f })));
    }
  }

  /** The master's own fault: its plain daemons must not outlive it. */
  killAll(): void {
    for (const child of this.children.values()) killGroup(child.pid as number, 'SIGKILL');
  }

  stopWatching(): void {
    for (const stop of this.touchWatches.values()) stop();
    this.touchWatches.clear();
  }

  private told(a: Extract<DaemonAction, { do: 'daemon-add' | 'daemon-forget' }>, r: DaemonRecord): void {
    if (a.do === 'daemon-forget' && a.why === 'left-running') {
      this.log.info({ event: 'daemon-left-running', daemon: r.id, daemonPid: r.pid, pidfile: r.spec.pidfile }, `daemon ${r.id}${r.pid === undefined ? '' : ` (pid ${r.pid})`} keeps running on its own (${r.spec.pidfile})`);
    }
  }

  private start(r: DaemonRecord, config: Config): void {
    const key = r.key;
    const child = spawnDaemon(r.spec, config, (message) => this.post({ kind: 'daemon-spawn-failed', key, message }));
    if (child === undefined) return;
    const pid = child.pid as number;
    r.child = pid;
    r.pid = pid;
    // A smart daemon's process is not the master's to stop at a crash.
    if (!isSmart(r)) this.children.set(key, child);
    child.once('exit', (code, signal) => {
      this.children.delete(key);
      // What a dead plain daemon left in its process group (a command's background children)
      // goes with it: restarts must not pile up orphans. The group id cannot be reused while
      // any member lives, so this reaches only them.
      if (!isSmart(r)) killGroupOnly(pid, 'SIGKILL');
      this.post({ kind: 'daemon-exit', key, pid, code, signal });
    });
    const again = r.starts > 1 ? 're' : '';
    this.log.info({ event: 'daemon-spawned', daemon: r.id, daemonPid: pid, starts: r.starts, cmd: r.spec.command }, `daemon ${r.id} ${again}started (pid ${pid}): ${r.spec.command}`);
  }

  private signal(r: DaemonRecord, signal: NodeJS.Signals): void {
    if (r.pid !== undefined) killGroup(r.pid, signal);
  }
}

/** Its process group (what the command started too); a pid that leads no group, alone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // Not a group leader (a smart daemon's own process), or gone.
  }
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already: its exit (or the next pidfile read) tells the master.
  }
}

function killGroupOnly(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Nothing left in it.
  }
}

/** The pid a pidfile names, when that process is alive (uWSGI's uwsgi_check_pidfile). */
export function livePidIn(pidfile: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidfile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
