/**
 * The Emperor: keeps one vassal (a whole tsuwsgi master) running per vassal file. Like the
 * master, signals, file changes, vassal exits and vassal reports only enqueue events; one
 * handler at a time turns each into transitions of the vassal table (vassal-table.ts), whose
 * effects are carried out here: start a process, signal it, wake up later, log a line.
 *
 * It never sits on a request path: vassals bind their own sockets and run their own workers;
 * the Emperor only starts, signals and waits for them.
 */
import type { ChildProcess } from 'node:child_process';
import type { Config, EmperorConfig } from '../shared/config';
import type { LogHandle } from '../shared/logger';
import { ExitCode } from '../shared/exit-codes';
import { sdNotify } from '../master/sd-notify';
import type { NotifyBridge, NotifyMessage } from './notify-bridge';
import { ChangeWatcher } from './watcher';
import { sameSignature, scanVassals, type ScanRules } from './vassal-scan';
import { optionsNeedingRestart, readVassalConfig, vassalArgs } from './vassal-config';
import { spawnVassal } from './vassal-process';
import { emperorDocument, type EmperorDocument } from './emperor-stats';
import * as table from './vassal-table';
import type { Effect, Vassal } from './vassal-table';

type EmperorEvent =
  | { kind: 'signal'; name: NodeJS.Signals }
  | { kind: 'scan'; why: string }
  | { kind: 'exit'; file: string; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'report'; file: string; token: string; message: NotifyMessage }
  | { kind: 'due'; file: string };

/** After SIGINT/SIGQUIT, how long vassals get to stop now before SIGKILL. */
const STOP_NOW_KILL_MS = 10_000;

export const EMPEROR_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];

interface Running {
  readonly child: ChildProcess;
  readonly token: string;
  /** The configuration it was started with, as the Emperor read it (undefined: unreadable). */
  readonly config: Config | undefined;
}

export class Emperor {
  private readonly vassals = new Map<string, Vassal>();
  private readonly running = new Map<string, Running>();
  private readonly queue: EmperorEvent[] = [];
  private draining = false;
  private stopping: 'no' | 'graceful' | 'now' = 'no';
  private readonly watcher: ChangeWatcher;
  private readonly log;
  private readonly startedAt = Date.now();
  private scanned = false;

  constructor(
    private readonly config: EmperorConfig,
    private readonly logs: LogHandle,
    private readonly bridge: NotifyBridge,
    private readonly rules: ScanRules,
    private readonly finish: (code: number) => void,
  ) {
    this.log = logs.logger;
    this.watcher = new ChangeWatcher(config.freq * 1000, (why) => this.post({ kind: 'scan', why }));
  }

  start(): void {
    for (const sig of EMPEROR_SIGNALS) process.on(sig, () => this.post({ kind: 'signal', name: sig }));
    this.log.info(
      { event: 'emperor-starting', patterns: this.config.patterns, tyrant: this.config.tyrant, freq: this.config.freq },
      `Emperor watching ${this.config.patterns.join(', ')}${this.config.tyrant ? ' (tyrant)' : ''}`,
    );
    this.watcher.start();
    this.post({ kind: 'scan', why: 'start' });
  }

  /** The bridge's callback: a report from the process holding `token`. */
  report(file: string, token: string, message: NotifyMessage): void {
    this.post({ kind: 'report', file, token, message });
  }

  document(): EmperorDocument {
    const self = { pid: process.pid, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, cwd: process.cwd(), startedAt: this.startedAt };
    const views = [...this.vassals.values()].map((vassal) => ({ vassal, stats: this.running.get(vassal.file)?.config?.stats?.text }));
    return emperorDocument(this.config, views, Date.now(), self);
  }

  private post(event: EmperorEvent): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      let e: EmperorEvent | undefined;
      while ((e = this.queue.shift()) !== undefined) this.handle(e);
      this.draining = false;
    });
  }

  private handle(e: EmperorEvent): void {
    switch (e.kind) {
      case 'signal': return this.onSignal(e.name);
      case 'scan': return this.onScan();
      case 'exit': return this.onExit(e);
      case 'report': return this.onReport(e.file, e.token, e.message);
      case 'due': return this.each(e.file, (v) => table.due(v, Date.now()));
    }
  }

  private each(file: string, transition: (v: Vassal) => Effect[]): void {
    const v = this.vassals.get(file);
    if (v !== undefined) this.apply(v, transition(v));
  }

  private onSignal(name: NodeJS.Signals): void {
    if (name === 'SIGTERM') return this.stop(this.stopping === 'no' ? 'graceful' : 'now', name);
    if (name === 'SIGINT' || name === 'SIGQUIT') return this.stop('now', name);
    if (this.stopping !== 'no') return;
    if (name === 'SIGHUP') {
      this.log.info({ event: 'emperor-reload' }, 'SIGHUP: reloading every vassal');
      return this.onScan(true);
    }
    if (name === 'SIGUSR1') return this.logTable();
    // SIGUSR2: logrotate's postrotate; the Emperor's own log, then every vassal's.
    if (this.logs.reopen()) this.log.info({ event: 'log-reopened' }, 'log file reopened (SIGUSR2)');
    for (const r of this.running.values()) r.child.kill('SIGUSR2');
  }

  /** Compares the files with the table; `all`: treat every file as changed (SIGHUP). */
  private onScan(all = false): void {
    if (this.stopping !== 'no') return;
    const first = !this.scanned;
    this.scanned = true;
    const scan = scanVassals(this.config.patterns, this.rules);
    this.watcher.watchDirs(scan.dirs);
    const now = Date.now();
    for (const [file, seen] of scan.files) {
      const v = this.vassals.get(file);
      if (v === undefined) {
        const made = table.newVassal(file, file.split('/').pop() as string, seen.signature, seen.admission);
        this.vassals.set(file, made.vassal);
        this.apply(made.vassal, made.effects);
      } else if (all || !sameSignature(v.signature, seen.signature)) {
        const restartFor = optionsNeedingRestart(this.running.get(file)?.config, seen.admission.ok ? this.readConfig(file) : undefined);
        this.apply(v, table.fileChanged(v, seen.signature, seen.admission, restartFor, now));
      }
    }
    for (const v of [...this.vassals.values()]) {
      if (!scan.files.has(v.file) && v.then !== 'forget') this.apply(v, table.fileRemoved(v));
      else this.apply(v, table.checkReload(v, now));
    }
    // systemd (Type=notify) hears of the Emperor itself; each vassal reports to the Emperor.
    if (first) sdNotify('ready', `${this.vassals.size} vassal file(s)`);
  }

  private readConfig(file: string): Config | undefined {
    return readVassalConfig(file, this.config, process.env);
  }

  private onExit(e: Extract<EmperorEvent, { kind: 'exit' }>): void {
    const r = this.running.get(e.file);
    if (r === undefined || r.child.pid !== e.pid) return;
    this.running.delete(e.file);
    this.bridge.revoke(r.token);
    this.each(e.file, (v) => table.exited(v, { code: e.code, signal: e.signal, at: Date.now() }, this.config, this.stopping !== 'no'));
    this.finishIfStopped();
  }

  private onReport(file: string, token: string, m: NotifyMessage): void {
    if (this.running.get(file)?.token !== token) return;
    for (const what of m.reports) this.each(file, (v) => table.notified(v, what, m.status, Date.now()));
  }

  private apply(v: Vassal, effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'spawn': this.spawn(v); break;
        case 'signal': this.running.get(v.file)?.child.kill(effect.signal); break;
        case 'wake': setTimeout(() => this.post({ kind: 'due', file: v.file }), effect.inMs); break;
        case 'forget': this.vassals.delete(v.file); break;
        case 'log': this.log[effect.level]({ event: effect.event, ...effect.fields }, effect.msg); break;
      }
    }
  }

  private spawn(v: Vassal): void {
    if (this.stopping !== 'no' || this.running.has(v.file)) return;
    const config = this.readConfig(v.file);
    const { token, link } = this.bridge.link(v.file);
    const child = spawnVassal({ file: v.file, args: vassalArgs(v.file, this.config), runAs: v.runAs, link }, (code, signal) => {
      this.post({ kind: 'exit', file: v.file, pid: child instanceof Error ? 0 : (child.pid as number), code, signal });
    });
    if (child instanceof Error) {
      this.bridge.revoke(token);
      v.why = child.message;
      this.log.error({ event: 'vassal-spawn-failed', vassal: v.file, err: child.message }, `vassal ${v.name}: cannot start: ${child.message}`);
      this.apply(v, table.exited(v, { code: null, signal: null, at: Date.now() }, this.config, false));
      return;
    }
    this.running.set(v.file, { child, token, config });
    this.apply(v, table.started(v, child.pid as number, Date.now()));
  }

  private stop(how: 'graceful' | 'now', why: string): void {
    if (this.stopping === how || this.stopping === 'now') return;
    this.stopping = how;
    this.watcher.close();
    sdNotify('stopping', how === 'graceful' ? 'stopping every vassal gracefully' : 'stopping every vassal now');
    const count = this.running.size;
    this.log.info({ event: how === 'graceful' ? 'emperor-stopping' : 'emperor-stopping-now', vassals: count, signal: why },
      how === 'graceful' ? `${why}: stopping ${count} vassal(s) gracefully` : `${why}: stopping ${count} vassal(s) now`);
    for (const [file, r] of this.running) {
      const v = this.vassals.get(file);
      if (v !== undefined) v.state = 'stopping';
      r.child.kill(how === 'graceful' ? 'SIGTERM' : 'SIGINT');
    }
    if (how === 'now') setTimeout(() => this.killLeft(), STOP_NOW_KILL_MS).unref();
    this.finishIfStopped();
  }

  private killLeft(): void {
    for (const r of this.running.values()) {
      this.log.warn({ event: 'vassal-killed', pid: r.child.pid }, `vassal pid ${r.child.pid} did not stop: SIGKILL`);
      r.child.kill('SIGKILL');
    }
  }

  private finishIfStopped(): void {
    if (this.stopping === 'no' || this.running.size > 0) return;
    this.log.info({ event: 'emperor-stopped' }, 'every vassal stopped; the Emperor exits');
    this.finish(this.stopping === 'graceful' ? ExitCode.Ok : ExitCode.Interrupted);
  }

  private logTable(): void {
    for (const e of this.document().vassals) {
      this.log.info({ event: 'vassal-status', vassal: e.config, state: e.state, pid: e.pid, starts: e.starts, lastExit: e.last_exit, stats: e.stats },
        `vassal ${e.id}: ${e.state}${e.pid > 0 ? ` (pid ${e.pid})` : ''}, ${e.starts} start(s)`);
    }
  }
}
