/**
 * A mule process (uWSGI's mule): no socket, one module's function, the messages apps send it.
 * Forked by the master (master/mules/), configured by its first message, it loads the module,
 * calls the function once with a MuleContext, says "ready" and then takes messages until it is
 * told to stop: the signal aborts, the message in hand and the cron runs in progress finish,
 * the function's promise settles, and it exits 0 (the master kills it after
 * worker-reload-mercy if that never comes). A function that throws or rejects, or an uncaught
 * exception, ends the mule with exit 1: the master starts it again (throttled).
 */
import type { Config, ModuleTarget } from '../shared/config';
import { createLogger, type LogHandle, type Logger } from '../shared/logger';
import { ExitCode } from '../shared/exit-codes';
import { isTsuwsgiError } from '../shared/errors';
import { reopenLog } from '../shared/reopen-log';
import { cronClock, TEST_CLOCK_ENV } from '../shared/cron/clock';
import type { MuleContext } from '../shared/mules/api';
import { MuleSender } from '../shared/mules/hook';
import type { MasterToMule, MuleToMaster } from '../shared/mules/ipc';
import { watchAppFaults } from '../worker/app-faults';
import { MuleInbox } from './inbox';
import { MuleCron } from './mule-cron';
import { loadMuleFunction } from './load-mule';

type Init = Extract<MasterToMule, { act: 'init' }>;

export class MuleProcess {
  private logs: LogHandle | undefined;
  private inbox: MuleInbox | undefined;
  private cron: MuleCron | undefined;
  private sender: MuleSender | undefined;
  private readonly abort = new AbortController();
  /** The function's own promise, while it has not settled. */
  private running: Promise<unknown> | undefined;
  private stopping = false;
  private muleId = 0;

  constructor(
    private readonly send: (m: MuleToMaster) => boolean,
    /** Resolves once every message sent so far is written to the master's channel. */
    private readonly sent: () => Promise<void>,
  ) {}

  async init(m: Init): Promise<void> {
    this.muleId = m.muleId;
    const log = this.openLog(m.muleId, m.config);
    if (process.env[TEST_CLOCK_ENV] !== undefined) log.warn({ event: 'test-clock', scale: process.env[TEST_CLOCK_ENV] }, `${TEST_CLOCK_ENV} is set: cron schedules run on a faster clock`);
    watchAppFaults({ log, countException: () => undefined, leave: () => void this.stop(ExitCode.Internal, m.config.workerReloadMercy), leaving: 'this mule stops and is started again' });
    this.sender = new MuleSender(m.config.mules.length, m.config.muleMsgSize, (seq, mule, payload) => this.send({ act: 'mule-msg', seq, mule, payload })).install();
    this.inbox = new MuleInbox((what) => this.send({ act: what }), log);
    this.cron = new MuleCron(m.muleId, cronClock(), this.abort.signal, log);
    let started: unknown;
    try {
      const { fn, label } = await loadMuleFunction(m.target, m.config.baseDir);
      log.info({ event: 'mule-started', mule: m.muleId, module: label }, `mule ${m.muleId} running ${label}`);
      started = fn(this.context(m.muleId));
    } catch (err) {
      return this.failed(log, m.target, err);
    }
    this.send({ act: 'ready' });
    if (isPromiseLike(started)) this.watch(Promise.resolve(started), log);
  }

  private context(id: number): MuleContext {
    const inbox = this.inbox as MuleInbox;
    const cron = this.cron as MuleCron;
    return {
      id,
      signal: this.abort.signal,
      onMessage: (handler) => inbox.onMessage(handler),
      messages: inbox.messages,
      cron: (schedule, job) => cron.add(schedule, job),
    };
  }

  private watch(p: Promise<unknown>, log: Logger): void {
    this.running = p;
    p.then(
      () => {
        this.running = undefined;
      },
      (err: unknown) => {
        this.running = undefined;
        if (this.stopping) return;
        log.error({ event: 'mule-failed', mule: this.muleId, err }, `mule ${this.muleId}'s function failed: ${(err as Error)?.message ?? String(err)}`);
        this.exit(ExitCode.Internal);
      },
    );
  }

  private failed(log: Logger, target: ModuleTarget, err: unknown): void {
    if (isTsuwsgiError(err)) {
      this.send({ act: 'load-failed', message: err.message });
      log.error({ event: 'mule-load-failed', mule: this.muleId, code: err.code }, err.message);
      return this.exit(ExitCode.AppLoadError);
    }
    log.error({ event: 'mule-failed', mule: this.muleId, err }, `mule ${this.muleId} (${target.appFile ?? target.appPackage}) failed at start: ${(err as Error)?.message ?? String(err)}`);
    return this.exit(ExitCode.Internal);
  }

  private openLog(muleId: number, config: Config): Logger {
    try {
      this.logs = createLogger({ role: 'mule', logto: config.logto, bindings: { mule: muleId } });
      return this.logs.logger;
    } catch (err) {
      process.stderr.write(`tsuwsgi mule ${muleId}: ${(err as Error).message}\n`);
      return this.exitNow(ExitCode.BootError);
    }
  }

  message(payload: string): void {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      // The sender wrote it with JSON.stringify: only a bug gets here. Counted as handled.
      this.send({ act: 'taken' });
      this.send({ act: 'done' });
      return;
    }
    this.inbox?.push(message);
  }

  answer(m: Extract<MasterToMule, { act: 'mule-ack' }>): void {
    this.sender?.answer(m);
  }

  reopenLogs(): void {
    reopenLog(this.logs);
  }

  /** Graceful: no new message or cron run; exit once what runs has finished. */
  async stop(code: number = ExitCode.Ok, mercySeconds?: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (mercySeconds !== undefined) setTimeout(() => this.exitNow(code), mercySeconds * 1000).unref();
    this.abort.abort();
    await Promise.all([this.inbox?.stop(), this.cron?.stop(), this.running?.catch(() => undefined)]);
    this.exit(code);
  }

  /** Once what was sent to the master is written (at most a second: it may be gone). */
  exit(code: number): void {
    const late = setTimeout(() => this.exitNow(code), 1000);
    void this.sent().then(() => {
      clearTimeout(late);
      this.exitNow(code);
    });
  }

  exitNow(code: number): never {
    this.logs?.flush();
    process.exit(code);
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
