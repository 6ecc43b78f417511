/**
 * A worker process: its logger, its fault policy, its scoreboard and its app host, and what it
 * does for each message of the master (worker/main.ts dispatches them). Its state and its
 * counters come from the scoreboard, so it answers the master even while an app thread is stuck.
 */
import type { MasterToWorker, RecycleReason, WorkerToMaster } from '../shared/ipc';
import { createLogger, type LogHandle } from '../shared/logger';
import { ExitCode } from '../shared/exit-codes';
import { isTsuwsgiError } from '../shared/errors';
import { reopenLog } from '../shared/reopen-log';
import { watchAppFaults } from './app-faults';
import { startAppHost, type AppHost } from './host/app-host';
import { mainThreadServes } from '../shared/main-serves';
import { boardBytes } from './scoreboard/layout';
import { Scoreboard } from './scoreboard/scoreboard';
import { SocketRequests } from './socket-requests';
import { MuleLink } from './mule-link';

type Init = Extract<MasterToWorker, { act: 'init' }>;

export class WorkerProcess {
  private logs: LogHandle | undefined;
  private host: AppHost | undefined;
  private stopping = false;
  private recycleAsked = false;
  private board: Scoreboard | undefined;
  readonly sockets: SocketRequests;
  readonly mules: MuleLink;

  /** `send` is false when the master's channel is gone. */
  constructor(private readonly send: (m: WorkerToMaster) => boolean) {
    this.sockets = new SocketRequests(send);
    this.mules = new MuleLink(send);
  }

  async init(m: Init): Promise<void> {
    const logs = this.openLog(m);
    const log = logs.logger;
    // When app thread 0 runs on this thread (threads-min = 1) a fault here is the app's; otherwise tsuwsgi's own,
    // and the same policy fits: leave gracefully (app threads watch their own, thread/app-thread.ts).
    watchAppFaults({
      log,
      countException: () => this.host?.countMainThreadException(),
      leave: () => this.askRecycle('uncaught-exception', {}),
      leaving: 'this worker keeps serving until its replacement accepts, then drains and exits',
    });
    if (m.config.maxWorkerLifetime > 0) {
      const seconds = m.config.maxWorkerLifetime;
      setTimeout(() => this.askRecycle('max-worker-lifetime', { seconds }), seconds * 1000).unref();
    }
    const board = new Scoreboard(new SharedArrayBuffer(boardBytes(m.config.threads)));
    this.board = board;
    const ask = (reason: RecycleReason, detail: Record<string, number>): void => this.askRecycle(reason, detail);
    // Before the app loads: it may send to a mule from its top level.
    if (mainThreadServes(m.config)) this.mules.installLocal(m.config);
    try {
      this.host = startAppHost({ workerId: m.workerId, config: m.config, fds: m.fds, turn: m.turn, board, logs, askRecycle: ask, sockets: this.sockets, mules: this.mules });
      await this.host.ready;
    } catch (err) {
      if (isTsuwsgiError(err)) {
        this.send({ act: 'app-load-failed', code: err.code, message: err.message });
        this.exit(err.code.startsWith('E_APP') ? ExitCode.AppLoadError : ExitCode.BootError);
      }
      log.error({ err }, 'worker failed to start');
      this.exit(ExitCode.BootError);
    }
    this.send({ act: 'ready' });
  }

  private openLog(m: Init): LogHandle {
    try {
      this.logs = createLogger({ role: 'worker', logto: m.config.logto, bindings: { worker: m.workerId } });
      return this.logs;
    } catch (err) {
      // The master opened this file before forking; it went away or changed owner since.
      process.stderr.write(`tsuwsgi worker ${m.workerId}: ${(err as Error).message}\n`);
      return this.exit(ExitCode.BootError);
    }
  }

  /** Once per worker: the master starts a replacement and then tells this worker to drain. */
  askRecycle(reason: RecycleReason, detail: Record<string, number>): void {
    if (this.recycleAsked || this.stopping) return;
    this.recycleAsked = true;
    this.send({ act: 'recycle', reason, detail });
  }

  async stop(graceful: boolean): Promise<void> {
    if (!graceful) this.exit(ExitCode.Interrupted);
    if (this.stopping) return;
    this.stopping = true;
    await this.host?.drain();
    this.exit(ExitCode.Ok);
  }

  /** The master created the new file (and chowned it for uid/gid) before asking. */
  reopenLogs(): void {
    reopenLog(this.logs);
    this.host?.reopenLogs();
  }

  stats(round: number): void {
    this.send({ act: 'stats', round, cores: this.host?.figures() ?? [] });
  }

  /** The cheaper's question, answered from the scoreboard (no app thread is asked). */
  load(round: number): void {
    const board = this.board;
    if (board === undefined) return;
    const { micros, now } = board.busy();
    // The larger of the time in requests and the time the loops were busy (host/loop-active.ts),
    // averaged over the threads running now: a thread not started (threads-min) is no capacity.
    const busy = Math.max(micros, this.host?.loopActiveMicros() ?? 0);
    this.send({ act: 'load', round, busyMicros: Math.round(busy / Math.max(1, board.running())), busy: now });
  }

  async report(): Promise<void> {
    const threads = (await this.host?.report()) ?? [];
    this.send({ act: 'report', rssBytes: process.memoryUsage.rss(), threads });
  }

  exit(code: number): never {
    this.logs?.flush();
    process.exit(code);
  }
}
