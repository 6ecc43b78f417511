/**
 * SIGUSR1 / fifo `s`: asks every worker for its state and logs one line per worker once all
 * answered, or after REPORT_WAIT_MS with what came (a worker that is not answering says so),
 * then one line per attached daemon (what the master knows of it; nothing is asked).
 * The asking and the deadline are shared/ask-all.ts; the deadline comes back as a
 * `report-due` event, so the lines are written from the master's queue like everything else.
 */
import type { Logger } from '../shared/logger';
import { AskAll, type Settled } from '../shared/ask-all';
import { escapeText } from '../shared/text-escape';
import type { EventOf } from './events';
import type { WorkerTable } from './worker-table';
import type { DaemonTable } from './daemons/daemon-table';
import { daemonReportLine, daemonStats } from './daemons/daemon-stats';

/** How long SIGUSR1 / fifo s waits for the workers' answers. */
export const REPORT_WAIT_MS = 500;

type Answer = EventOf<'worker-report'>;

export class WorkerReport {
  private readonly asker: AskAll<number, Answer>;

  constructor(
    private readonly table: WorkerTable,
    private readonly daemons: DaemonTable,
    private readonly log: Logger,
    /** Sends `{act:'report'}` to a worker; false when its channel is gone. */
    private readonly ask: (key: number) => boolean,
    /** Arms the deadline: posts `report-due` for the round after `ms`. */
    deadline: (ms: number, round: number) => () => void,
  ) {
    this.asker = new AskAll(deadline);
  }

  /** A report is being gathered already: this one is that one. */
  start(): void {
    if (this.asker.busy) return;
    const keys = this.table.all().map((r) => r.key);
    this.asker.start(keys, (key) => this.ask(key), REPORT_WAIT_MS, (s) => this.write(s));
  }

  answer(e: Answer): void {
    if (this.table.match(e.key, e.pid) !== undefined) this.asker.answer(e.key, e);
  }

  expire(round: number): void {
    this.asker.expire(round);
  }

  private write(s: Settled<number, Answer>): void {
    const now = Date.now();
    for (const w of this.table.all()) {
      const got = s.answers.get(w.key);
      const threads = got?.threads ?? [];
      const current = threads.flatMap((t) => (t.current ? [{ thread: t.thread, ...t.current }] : []));
      // A row with no thread on it (not started, retired) is not a thread that fails to answer.
      const stuck = threads.filter((t) => t.running && !t.answered).map((t) => t.thread);
      const status = got === undefined ? 'no answer' : stuck.length > 0 || current.length > 0 ? 'busy' : 'idle';
      this.log.info(
        {
          event: 'worker-state', worker: w.id, workerPid: w.pid, workerRole: w.role, status,
          requests: threads.reduce((n, t) => n + (t.requests ?? 0), 0),
          upgraded: threads.reduce((n, t) => n + (t.upgraded ?? 0), 0),
          rssBytes: got?.rssBytes, upMs: now - w.spawnedAt, current, notAnswering: stuck, threadsRunning: threads.filter((t) => t.running).length,
        },
        `worker ${w.id} (pid ${w.pid}) ${status}${current.map((c) => `; ${escapeText(c.request)} running ${c.ms} ms`).join('')}`,
      );
    }
    for (const d of daemonStats(this.daemons.all(), now)) {
      this.log.info({ event: 'daemon-state', daemon: d.id, daemonPid: d.pid, state: d.state, starts: d.respawns, lastExit: d.last_exit, cmd: d.cmd }, daemonReportLine(d));
    }
  }
}
