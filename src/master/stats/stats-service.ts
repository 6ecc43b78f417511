/**
 * The master's stats: gathers its worker records, the workers' counters and the sockets' queues into the
 * views the document and the Prometheus text are built from. The master owns pid, spawn time,
 * respawn and harakiri counts; the workers own their request counters (read on demand).
 */
import type { Config } from '../../shared/config';
import type { MasterToWorker } from '../../shared/ipc';
import type { CoreFigures } from '../../shared/stats-figures';
import { packageVersion } from '../../shared/package-version';
import type { BoundSocket } from '../sockets';
import { StatsCollector } from './collector';
import { buildStatsDocument, type MasterView, type SocketView, type WorkerView } from './document';
import { renderPrometheus } from './prometheus';
import type { CompanionsView } from './companions-document';
import { procMemory } from './proc-memory';
import { readListenQueues, type SocketQueue } from './listen-queues';
import type { QueueWatch } from './queue-watch';
import type { StatsSource } from './stats-server';
import type { AcceptTurn, StatsDaemon } from '../../shared/stats-document';

/** The queue watch samples every second; a sample this old is still current enough. */
const QUEUE_SAMPLE_MAX_AGE_MS = 1500;

/** What the service needs of one worker record of the master. */
export interface StatsWorkerRecord {
  readonly key: number;
  readonly id: number;
  readonly role: WorkerView['role'];
  readonly ready: boolean;
  readonly pid: number;
  readonly spawnedAt: number;
  readonly spawns: number;
  readonly harakiriKills: number;
  readonly acceptTurn: AcceptTurn;
  send(m: MasterToWorker): boolean;
}

interface Views {
  readonly master: MasterView;
  readonly sockets: SocketView[];
  readonly workers: WorkerView[];
  readonly daemons: StatsDaemon[];
  readonly companions: CompanionsView;
}

export class StatsService implements StatsSource {
  private readonly collector = new StatsCollector();

  constructor(
    private readonly config: Config,
    private readonly sockets: readonly BoundSocket[],
    private readonly records: () => StatsWorkerRecord[],
    private readonly queueWatch: QueueWatch,
    private readonly daemons: () => StatsDaemon[] = () => [],
    /** Mules and cron jobs, read when a document is built. */
    private readonly companions: () => CompanionsView = () => ({ mules: [], crons: [] }),
  ) {}

  onReply(key: number, pid: number, round: number, cores: readonly CoreFigures[]): void {
    this.collector.onReply(key, pid, round, cores);
  }

  async json(): Promise<string> {
    const v = await this.views();
    return JSON.stringify(buildStatsDocument(v.master, v.sockets, v.workers, v.daemons, v.companions));
  }

  async metrics(): Promise<string> {
    const v = await this.views();
    return renderPrometheus(v.master, v.sockets, v.workers, v.daemons, v.companions);
  }

  /** The poller's sample when it is recent: scrapers then cost no extra read of /proc each. */
  private listenQueues(): Promise<readonly SocketQueue[]> {
    const latest = this.queueWatch.latest();
    if (latest !== undefined && Date.now() - latest.at <= QUEUE_SAMPLE_MAX_AGE_MS) return Promise.resolve(latest.queues);
    return readListenQueues(this.sockets.map((s) => ({ fd: s.fd, kind: s.address.kind, backlog: this.config.listen })));
  }

  private async views(): Promise<Views> {
    const records = this.records();
    const [collected, queues] = await Promise.all([
      this.collector.collect(records),
      this.listenQueues(),
    ]);
    const workers = records.map((s): WorkerView => {
      const got = collected.get(s.key);
      const mem = s.pid > 0 ? procMemory(s.pid) : { rssBytes: 0, vszBytes: 0 };
      return {
        id: s.id, pid: s.pid, role: s.role, ready: s.ready, spawnedAt: s.spawnedAt, spawns: s.spawns, harakiriKills: s.harakiriKills, acceptTurn: s.acceptTurn,
        cores: got?.cores, fresh: got?.fresh ?? false, deltaRequests: got?.deltaRequests ?? 0, ...mem,
      };
    });
    const sockets = this.sockets.map((s, i): SocketView => ({ name: s.name, proto: s.proto, queue: queues[i].queue, maxQueue: queues[i].max }));
    const master: MasterView = {
      version: packageVersion(),
      pid: process.pid,
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      cwd: process.cwd(),
      startedAt: Date.now() - process.uptime() * 1000,
      listenQueueErrors: this.queueWatch.fullSamples(),
    };
    return { master, sockets, workers, daemons: this.daemons(), companions: this.companions() };
  }
}
