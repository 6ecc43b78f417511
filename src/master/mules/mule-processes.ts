/**
 * The process side of the mule table: forks a mule (src/mule/main.ts) with the workers' user,
 * environment and directory, tells it to stop, kills it, hands it messages; and turns what a
 * mule does into master events. Like a worker's, a mule's messages are checked
 * (mule-messages.ts) and its channel guarded (worker-channel-guard.ts): the app's code runs
 * there too.
 */
import { childExecArgv } from '../../shared/node-args';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { MasterToMule } from '../../shared/mules/ipc';
import { workerCredentials } from '../credentials';
import type { MasterEvent } from '../events';
import { describeSpawnFailure, started } from '../spawn-failure';
import { guardWorkerChannel } from '../worker-channel-guard';
import { checkMuleMessage } from './mule-messages';
import type { MuleAction } from './mule-reconcile';
import type { MuleRecord, MuleTable } from './mule-table';

export const MULE_ENTRY = path.join(__dirname, '..', '..', 'mule', 'main.js');

/** After 'exit', how long to wait for 'close' (the channel read to its end) before reporting the exit anyway. */
const CLOSE_WAIT_MS = 200;

export class MuleProcesses {
  private readonly children = new Map<number, ChildProcess>();

  constructor(
    private readonly log: Logger,
    private readonly post: (e: MasterEvent) => void,
  ) {}

  perform(a: MuleAction, r: MuleRecord | undefined, config: Config, mules: MuleTable): void {
    if (r === undefined) return;
    switch (a.do) {
      case 'mule-spawn':
      case 'mule-respawn':
        return this.start(r, config, mules, a.do === 'mule-respawn');
      case 'mule-retire':
        return this.retire(r);
      case 'mule-discard':
        return this.kill(r.key);
      case 'mule-kill':
        if (a.why === 'mercy') this.log.warn({ event: 'no-mercy', mule: r.id, mulePid: r.pid }, `mule ${r.id} still running after worker-reload-mercy; killing it`);
        return this.kill(r.key);
      case 'mule-deliver':
        for (const payload of r.outbox.splice(0)) this.send(r.key, { act: 'msg', payload });
    }
  }

  private start(r: MuleRecord, config: Config, mules: MuleTable, respawn: boolean): void {
    const key = r.key;
    const target = config.mules[r.id - 1];
    if (respawn && r.spawnFailures === 0) this.log.info({ event: 'mule-respawn', mule: r.id }, `respawning mule ${r.id}`);
    const failed = (err: unknown): void => {
      const f = describeSpawnFailure(err, config.chdir, process.execPath);
      this.post({ kind: 'mule-spawn-failed', key, code: f.code, message: f.message });
    };
    let child: ChildProcess;
    try {
      child = fork(MULE_ENTRY, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, ...Object.fromEntries(config.env), TSUWSGI_MULE_ID: String(r.id) },
        cwd: config.chdir,
        execArgv: childExecArgv(config, 'mule', process.execArgv, process.env.NODE_OPTIONS),
        serialization: 'json',
        ...workerCredentials(config),
      });
    } catch (err) {
      return failed(err);
    }
    if (!started(child, failed)) return;
    r.pid = child.pid;
    r.spawnFailures = 0;
    mules.countSpawn(r.id);
    this.children.set(key, child);
    this.log.info({ event: 'mule-spawned', mule: r.id, mulePid: child.pid, module: target.appFile ?? target.appPackage }, `mule ${r.id} spawned (pid ${child.pid})`);
    this.watch(child, key, child.pid);
    this.send(key, { act: 'init', muleId: r.id, config, target });
  }

  private watch(child: ChildProcess, key: number, pid: number): void {
    child.on('message', (raw: unknown) => {
      const checked = checkMuleMessage(raw);
      if (!checked.ok) return this.post({ kind: 'mule-bad-message', key, pid, why: checked.why });
      const m = checked.message;
      switch (m.act) {
        case 'ready':
          return this.post({ kind: 'mule-ready', key, pid });
        case 'taken':
          return this.post({ kind: 'mule-taken', key, pid });
        case 'done':
          return this.post({ kind: 'mule-done', key, pid });
        case 'load-failed':
          return this.post({ kind: 'mule-load-failed', key, pid, message: m.message });
        case 'mule-msg':
          return this.post({ kind: 'mule-msg', from: { mule: key }, pid, seq: m.seq, mule: m.mule, payload: m.payload });
      }
    });
    // A failed send (the mule is dying): its exit follows and says what matters.
    child.on('error', () => undefined);
    guardWorkerChannel(child, {
      forged: (cmd) => this.post({ kind: 'mule-bad-message', key, pid, why: `a forged Node control message (${cmd})` }),
      garbage: (err) => this.post({ kind: 'mule-bad-message', key, pid, why: `bytes that are not a message (${err.message})` }),
    });
    // 'close' comes once the channel is read to its end, so a "done" written just before the
    // exit is counted first; a process the mule started may hold the channel open, hence the cap.
    let reported = false;
    child.once('exit', (code, signal) => {
      const report = (): void => {
        if (reported) return;
        reported = true;
        if (this.children.get(key) === child) this.children.delete(key);
        this.post({ kind: 'mule-exit', key, pid, code, signal });
      };
      child.once('close', report);
      setTimeout(report, CLOSE_WAIT_MS).unref();
    });
  }

  /** Finish the message in hand, then exit; a mule whose channel is gone is killed. */
  private retire(r: MuleRecord): void {
    const child = this.children.get(r.key);
    if (child === undefined || !child.connected) {
      child?.kill('SIGKILL');
      return;
    }
    this.log.info({ event: 'mule-stopping', mule: r.id, mulePid: child.pid }, `mule ${r.id} (pid ${child.pid}) told to finish and exit`);
    this.send(r.key, { act: 'stop' });
  }

  kill(key: number): void {
    this.children.get(key)?.kill('SIGKILL');
  }

  killAll(): void {
    for (const child of this.children.values()) child.kill('SIGKILL');
  }

  send(key: number, m: MasterToMule): boolean {
    const child = this.children.get(key);
    if (child === undefined || !child.connected) return false;
    try {
      child.send(m, (err) => void err);
      return true;
    } catch {
      return false;
    }
  }

  all(): ChildProcess[] {
    return [...this.children.values()];
  }
}
