/**
 * The master: owns the sockets and the pidfile, keeps `processes` workers alive, reloads them
 * without refusing a connection, and stops them. Shaped like Gunicorn's arbiter:
 *
 *   signal, FIFO command, worker message or exit, timer
 *     → one event on the queue (event-queue.ts)
 *     → its handler changes the wanted state or the worker table (handlers.ts)
 *     → reconcile (reconcile.ts) starts, promotes, retires and kills workers until the
 *       workers are what is wanted, and says when to look again.
 *
 * This file is the shell around that: it opens what the master serves (stats, FIFO, touch
 * files, pidfile), wires the queue, and carries out reconcile's actions on real processes.
 * The listening sockets stay open in the master throughout, so while generations overlap
 * both accept, and nothing is refused.
 */
import type { Config } from '../shared/config';
import type { LogHandle, Logger } from '../shared/logger';
import type { MasterEvent } from './events';
import { bindAll, type BoundSocket } from './sockets';
import { deferAcceptOnTcp } from './defer-accept';
import { writePidfile } from './pidfile';
import { effectiveBacklog } from './backlog';
import { preparePrivilegeDrop } from './privileges';
import { dropMasterPrivileges } from './drop-root';
import { openMasterFifo, type MasterFifo } from './master-fifo';
import { watchTouchFiles } from './touch-watch';
import { sdNotify } from './sd-notify';
import { collectGarbage } from '../shared/full-gc';
import { reopenLogs } from './log-reopen';
import type { StatsService, StatsWorkerRecord } from './stats/stats-service';
import type { StatsServer } from './stats/stats-server';
import { watchListenQueues, type QueueWatch } from './stats/queue-watch';
import { EventQueue } from './event-queue';
import { eventHandler } from './handlers';
import { HANDLED_SIGNALS } from './commands';
import type { MasterContext } from './master-context';
import { converge } from './converge';
import type { Action } from './reconcile';
import { crash, finish, type Owned } from './shutdown';
import { initialWanted, type Wanted } from './wanted';
import { WorkerProcesses } from './worker-processes';
import { WorkerReport } from './worker-report';
import { WorkerTable, type WorkerRecord } from './worker-table';
import type { CheaperCycle } from './cheaper/cycle';
import { procMemory } from './stats/proc-memory';
import { DaemonTable } from './daemons/daemon-table';
import { DaemonProcesses } from './daemons/daemon-processes';
import { daemonsOf } from '../config/daemon-spec';
import { isCompanionAction, type CompanionAction, type Companions } from './companions';
import type { Acted } from './converge';
import type { MuleMessageFrom } from './events';
import type { MuleAck } from '../shared/mules/ipc';
import { MuleTable, type MuleRecord } from './mules/mule-table';
import { MuleProcesses } from './mules/mule-processes';
import { CronTable, type CronJob } from './cron/cron-table';
import { CronRunner } from './cron/cron-runner';
import { cronClock, TEST_CLOCK_ENV } from '../shared/cron/clock';
import { reportCompanions } from './companion-report';

// What only a configured `stats` or `cheaper` uses is loaded when it is configured: every
// master would otherwise keep those modules compiled in its heap (docs/design-notes.md,
// "Memory"). The queue watch and the worker table stay: they run in every master.
/* eslint-disable @typescript-eslint/no-require-imports */
const loadStats = (): typeof import('./stats/stats-start') => require('./stats/stats-start') as typeof import('./stats/stats-start');
const loadCheaper = (): typeof import('./cheaper/cycle') => require('./cheaper/cycle') as typeof import('./cheaper/cycle');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Re-reads the command line and ini, as at start; throws as parseCommandLine does. */
export type ConfigSource = () => Config;

export async function runMaster(asked: Config, logs: LogHandle, reread?: ConfigSource): Promise<void> {
  const config = clampBacklog(asked, logs.logger);
  preparePrivilegeDrop(config, logs.logger);
  const sockets = await bindAll(config);
  deferAcceptOnTcp(sockets, config, logs.logger);
  const master = new Master(config, logs, sockets, reread);
  // From here on the master owns sockets and workers: a fault of its own must not leave them.
  process.on('uncaughtException', (err) => master.crash(err));
  await master.startStats();
  master.start();
}

function clampBacklog(asked: Config, log: Logger): Config {
  const { backlog, clamped } = effectiveBacklog(asked.listen);
  if (clamped) {
    log.warn(
      { event: 'listen-clamped', asked: asked.listen, granted: backlog },
      `listen ${asked.listen} is above the kernel's net.core.somaxconn (${backlog}): using ${backlog}; raise the sysctl for a longer queue`,
    );
  }
  return Object.freeze({ ...asked, listen: backlog });
}

class Master {
  private readonly wanted: Wanted;
  private readonly table = new WorkerTable();
  private readonly daemons = new DaemonTable();
  private readonly daemonProcesses: DaemonProcesses;
  private readonly queue: EventQueue<MasterEvent>;
  private readonly processes: WorkerProcesses;
  private readonly report: WorkerReport;
  private readonly companions: Companions;
  private readonly mules: MuleProcesses;
  private readonly cron: CronRunner;
  private readonly log: Logger;
  private fifo: MasterFifo | undefined;
  private readonly stopWatching: (() => void)[] = [];
  private stats: StatsService | undefined;
  private statsServer: StatsServer | undefined;
  private queueWatch: QueueWatch | undefined;
  private crashed = false;

  constructor(
    config: Config,
    private readonly logs: LogHandle,
    private readonly sockets: readonly BoundSocket[],
    reread: ConfigSource | undefined,
  ) {
    this.log = logs.logger;
    this.wanted = initialWanted(config);
    const post = (e: MasterEvent): void => this.queue.post(e);
    this.processes = new WorkerProcesses(sockets, this.log, post, (k, p, round, cores) => this.stats?.onReply(k, p, round, cores));
    this.daemonProcesses = new DaemonProcesses(this.log, post);
    this.report = new WorkerReport(this.table, this.daemons, this.log, (key) => this.processes.send(key, { act: 'report' }), (ms, round) => this.queue.after(ms, { kind: 'report-due', round }));
    this.companions = { mules: new MuleTable(), crons: new CronTable(config.cron, this.testableClock(), Date.now()) };
    this.mules = new MuleProcesses(this.log, post);
    this.cron = new CronRunner(this.log, post);
    const ctx: MasterContext = {
      wanted: this.wanted, table: this.table, daemons: this.daemons, companions: this.companions, log: this.log, now: Date.now,
      io: {
        cheaper: config.cheaper > 0 ? this.cheaperCycle() : undefined,
        reread: reread === undefined ? undefined : () => clampBacklog(reread(), this.log),
        reopenLogs: (source) => reopenLogs(this.wanted.config, this.logs, [...this.processes.all(), ...this.mules.all()], source),
        sendSockets: (key, thread) => this.processes.sendSockets(key, thread),
        startReport: () => {
          this.report.start();
          reportCompanions(this.companions, this.log, Date.now());
        },
        answerReport: (e) => this.report.answer(e),
        expireReport: (round) => this.report.expire(round),
        stderr: (text) => process.stderr.write(text),
        answerMule: (to, ack) => this.answerMule(to, ack),
      },
    };
    this.queue = new EventQueue<MasterEvent>(eventHandler(ctx), () => this.settle(), { kind: 'tick' });
  }

  private cheaperCycle(): CheaperCycle {
    const { CheaperCycle } = loadCheaper();
    return new CheaperCycle({
      wanted: this.wanted, table: this.table, log: this.log, now: Date.now,
      ask: (key, round) => this.processes.send(key, { act: 'load', round }),
      deadline: (ms, round) => this.queue.after(ms, { kind: 'cheaper-due', round }),
      backlog: () => (this.queueWatch?.latest()?.queues ?? []).reduce((n, q) => n + q.queue, 0),
      rssBytes: (pid) => procMemory(pid).rssBytes,
    });
  }

  /** The wall clock, or a faster one a test asked for (shared/cron/clock.ts), said so once. */
  private testableClock(): ReturnType<typeof cronClock> {
    const clock = cronClock();
    if (clock.scale !== 1) this.log.warn({ event: 'test-clock', scale: clock.scale }, `${TEST_CLOCK_ENV} is set: cron schedules run ${clock.scale} times faster`);
    return clock;
  }

  private answerMule(to: MuleMessageFrom, ack: MuleAck): void {
    if ('worker' in to) this.processes.send(to.worker, { act: 'mule-ack', thread: to.thread, ...ack });
    else this.mules.send(to.mule, { act: 'mule-ack', ...ack });
  }

  /** Before any worker exists, so a stats address that cannot be bound stops the start. */
  async startStats(): Promise<void> {
    const config = this.wanted.config;
    this.queueWatch = watchListenQueues(this.sockets, config.listen, this.log);
    const address = config.stats;
    if (address === undefined) return;
    const stats = loadStats();
    this.stats = new stats.StatsService(config, this.sockets, () => this.workersForStats(), this.queueWatch, () => stats.daemonStats(this.daemons.all(), Date.now()), () => stats.companionsView(this.companions, this.wanted.config.mules));
    const onError = (err: Error): void => this.log.warn({ event: 'stats-error', err: err.message }, `stats: ${err.message}`);
    this.statsServer = await stats.startStatsServer(address, config.statsHttp, this.stats, onError, config.statsChmod);
    this.log.info({ event: 'stats-listening', address: this.statsServer.name, http: config.statsHttp }, `stats server on ${this.statsServer.name}${config.statsHttp ? ' (HTTP: / and /metrics)' : ''}`);
  }

  /** The worker records as the stats service reads them. */
  private workersForStats(): StatsWorkerRecord[] {
    const slots: StatsWorkerRecord[] = this.table.all().map((w) => ({
      key: w.key, id: w.id, role: w.role, ready: w.ready, pid: w.pid ?? 0, spawnedAt: w.spawnedAt,
      spawns: this.table.spawnsById.get(w.id) ?? 0, harakiriKills: this.table.harakiriKillsById.get(w.id) ?? 0,
      acceptTurn: this.processes.turnOf(w.key),
      send: (m) => this.processes.send(w.key, m),
    }));
    // As uWSGI lists them: every id up to processes, the ones the cheaper left empty with pid 0
    // (status "cheap"). Keys below 0 are never a record's.
    const config = this.wanted.config;
    for (let id = this.wanted.workers + 1; config.cheaper > 0 && id <= config.processes; id++) {
      if (slots.some((s) => s.id === id)) continue;
      slots.push({
        key: -id, id, role: 'active', ready: false, pid: 0, spawnedAt: 0, spawns: this.table.spawnsById.get(id) ?? 0,
        harakiriKills: this.table.harakiriKillsById.get(id) ?? 0, acceptTurn: 'all', send: () => false,
      });
    }
    return slots;
  }

  start(): void {
    const config = this.wanted.config;
    for (const s of this.sockets) {
      this.log.info({ event: 'bound', proto: s.proto, address: s.name, fd: s.fd, inherited: s.inherited === true }, `${s.proto} socket ${s.inherited ? 'inherited (LISTEN_FDS) at' : 'bound to'} ${s.name}`);
    }
    for (const sig of HANDLED_SIGNALS) process.on(sig, () => this.queue.post({ kind: 'signal', name: sig }));
    if (config.cheaper > 0) this.stopWatching.push(this.everySecond());
    // The FIFO before the pidfile: a FIFO another master reads stops the start before its
    // pidfile is overwritten.
    if (config.masterFifo !== undefined) {
      this.fifo = openMasterFifo(config.masterFifo, (command) => this.queue.post({ kind: 'command', command, source: 'fifo' }));
    }
    if (config.pidfile !== undefined) writePidfile(config.pidfile);
    // Everything that needs root exists now (sockets, stats, FIFO, pidfile, log file).
    dropMasterPrivileges(config, this.log);
    this.stopWatching.push(
      watchTouchFiles(config.touchReload, (f) => this.queue.post({ kind: 'command', command: 'r', source: `touch-reload ${f}` })),
      watchTouchFiles(config.touchChainReload, (f) => this.queue.post({ kind: 'command', command: 'c', source: `touch-chain-reload ${f}` })),
    );
    const workers = this.wanted.workers;
    const adaptive = config.cheaper > 0 ? ` (cheaper: ${config.cheaper}..${config.processes}, algo ${config.cheaperAlgo})` : '';
    this.log.info({ event: 'starting', processes: workers, threads: config.threads, ...(config.cheaper > 0 ? { cheaper: config.cheaper, max: config.processes, algo: config.cheaperAlgo } : {}) }, `starting ${workers} worker(s) x ${config.threads} thread(s)${adaptive}`);
    // The first reconcile starts the workers.
    this.settle();
  }

  /** The cheaper's clock: one `cheaper-cycle` event a second (unref'd, as uWSGI's master cycle). */
  private everySecond(): () => void {
    const timer = setInterval(() => this.queue.post({ kind: 'cheaper-cycle' }), loadCheaper().CYCLE_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** After every event: converge, then sleep until the next deadline. */
  private settle(): void {
    const wake = converge(this.wanted, this.table, Date.now(), (a, r) => this.perform(a, r), this.daemons, (a, r) => this.daemonProcesses.perform(a, r, this.wanted.config), this.companions);
    this.queue.wakeAt(wake);
    this.daemonProcesses.watchTouches(this.wanted.phase === 'running' ? daemonsOf(this.wanted.config) : []);
  }

  private perform(a: Action, acted: Acted): void {
    if (isCompanionAction(a)) return this.performCompanion(a, acted as MuleRecord | CronJob | undefined);
    const r = acted as WorkerRecord | undefined;
    switch (a.do) {
      case 'spawn':
      case 'respawn':
        if (r !== undefined) this.processes.start(r, this.wanted.config, this.table, a.do === 'respawn');
        return;
      case 'retire':
        if (r !== undefined) this.processes.retire(r, this.wanted.phase !== 'running');
        return;
      case 'discard':
        return this.processes.kill(a.key);
      case 'kill':
        if (a.why === 'mercy' && r !== undefined) {
          this.log.warn({ event: 'no-mercy', worker: r.id, workerPid: r.pid }, `worker ${r.id} still draining after worker-reload-mercy; killing it`);
        }
        return this.processes.kill(a.key);
      case 'promote':
        return;
      case 'announce-ready':
      case 'reload-switched':
      case 'reload-finished':
        return this.announce(a);
      case 'exit':
        this.dropUndelivered();
        return finish(this.owned(), this.wanted.exitCode);
    }
  }

  private performCompanion(a: CompanionAction, r: MuleRecord | CronJob | undefined): void {
    if (a.do.startsWith('mule-')) this.mules.perform(a as Extract<CompanionAction, { do: `mule-${string}` }>, r as MuleRecord | undefined, this.wanted.config, this.companions.mules);
    else this.cron.perform(a as Extract<CompanionAction, { do: `cron-${string}` }>, r as CronJob | undefined, this.wanted.config);
  }

  private announce(a: Extract<Action, { do: 'announce-ready' | 'reload-switched' | 'reload-finished' }>): void {
    const pids = this.table.activePids();
    if (a.do === 'announce-ready') {
      this.log.info({ event: 'ready', workers: pids, sockets: this.sockets.map((s) => `${s.proto}:${s.name}`) }, `tsuwsgi ready: ${pids.length} worker(s) accepting`);
      sdNotify('ready', `${pids.length} worker(s) accepting`);
      this.collectWhenSettled();
    } else if (a.do === 'reload-switched') {
      this.log.info({ event: 'reload-switched', workers: pids }, 'every new worker is accepting; the old ones are draining');
    } else {
      const ms = Date.now() - a.reload.startedAt;
      this.log.info({ event: 'reload-finished', kind: a.reload.kind, durationMs: ms, workers: pids }, `${a.reload.kind} reload finished in ${ms} ms`);
      sdNotify('ready', `${pids.length} worker(s) accepting (reloaded)`);
      this.collectWhenSettled();
    }
  }

  /**
   * idle-gc for the master: reading the config, binding and spawning leave garbage (more on a
   * reload) in a heap that, idle from then on, would keep it. One collection frees it (used
   * heap 7.1 -> 5.9 MB on Node 20, 8.5 -> 7.2 MB on Node 24) and, on Node 24, gives the pages
   * back at once (anon 16.3 -> 13.7 MB); Node 20's come back when V8's memory reducer runs.
   */
  private collectWhenSettled(): void {
    const seconds = this.wanted.config.idleGc;
    if (seconds > 0) setTimeout(collectGarbage, seconds * 1000).unref();
  }

  private owned(): Owned {
    const config = this.wanted.config;
    return {
      logs: this.logs, sockets: this.sockets, vacuum: config.vacuum, pidfile: config.pidfile, fifo: this.fifo,
      statsServer: this.statsServer, queueWatch: this.queueWatch, stopWatching: [...this.stopWatching, () => this.daemonProcesses.stopWatching()],
    };
  }

  /** Messages still queued for a mule when the master exits are lost: said so, once per mule. */
  private dropUndelivered(): void {
    for (const [id, box] of this.companions.mules.allMailboxes()) {
      const n = box.drop();
      if (n > 0) this.log.warn({ event: 'mule-messages-dropped', mule: id, messages: n }, `mule ${id}: ${n} message(s) never handled, dropped at exit`);
    }
  }

  crash(err: unknown): void {
    if (this.crashed) return;
    this.crashed = true;
    crash(this.owned(), err, () => {
      this.processes.killAll();
      this.daemonProcesses.killAll();
      this.mules.killAll();
      this.cron.killAll(this.companions.crons.jobs);
    });
  }
}
