/**
 * Builds the stats document (its type: shared/stats-document.ts) from what the master gathered
 * (its worker records, the workers' figures, the sockets' queues). Pure: the same input gives
 * the same document.
 */
import type { CoreFigures } from '../../shared/stats-figures';
import type { SocketProto } from '../../shared/socket-proto';
import type { Role } from '../worker-table';
import type { AcceptTurn, StatsCore, StatsDocument, StatsWorker, WorkerStatus, StatsDaemon } from '../../shared/stats-document';
import type { CompanionsView } from './companions-document';

const NONE: CompanionsView = { mules: [], crons: [] };

/** One worker record as the master sees it when it builds a document. */
export interface WorkerView {
  readonly id: number;
  /** 0 when the record has no process (waiting for a throttled respawn). */
  readonly pid: number;
  readonly role: Role;
  /** The worker reported ready (accepts connections). */
  readonly ready: boolean;
  /** ms since epoch. */
  readonly spawnedAt: number;
  /** Times a process was started for this worker id (1 for the first). */
  readonly spawns: number;
  /** Harakiri kills the master saw for this worker id (threads = 1: the whole process). */
  readonly harakiriKills: number;
  /** Per app thread; the last known ones when `fresh` is false; undefined if never answered. */
  readonly cores: readonly CoreFigures[] | undefined;
  /** The worker answered this round (false: it is busy in synchronous code, or gone). */
  readonly fresh: boolean;
  /** Requests since the previous document. */
  readonly deltaRequests: number;
  readonly rssBytes: number;
  readonly vszBytes: number;
  readonly acceptTurn: AcceptTurn;
}

export interface SocketView {
  readonly name: string;
  readonly proto: SocketProto;
  readonly queue: number;
  readonly maxQueue: number;
}

export interface MasterView {
  readonly version: string;
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  readonly cwd: string;
  /** When the master started, ms since epoch. */
  readonly startedAt: number;
  /** Times a socket was seen with a full listen queue. */
  readonly listenQueueErrors: number;
}


export function buildStatsDocument(master: MasterView, sockets: readonly SocketView[], workers: readonly WorkerView[], daemons: readonly StatsDaemon[] = [], companions: CompanionsView = NONE): StatsDocument {
  const out = workers.map((w) => workerStats(w, master.cwd));
  const doc: StatsDocument = {
    version: master.version,
    // uWSGI reports its first socket's queue; the sum says the same with one socket and more with several.
    listen_queue: sockets.reduce((n, s) => n + s.queue, 0),
    listen_queue_errors: master.listenQueueErrors,
    signal_queue: 0,
    load: workers.reduce((n, w) => n + (w.cores ?? []).reduce((m, c) => m + c.inFlight, 0), 0),
    pid: master.pid,
    uid: master.uid,
    gid: master.gid,
    cwd: master.cwd,
    locks: [],
    master_started: Math.floor(master.startedAt / 1000),
    sockets: sockets.map((s) => ({ name: s.name, proto: s.proto, queue: s.queue, max_queue: s.maxQueue, shared: 0, can_offload: 0 })),
    workers: out,
    mules: companions.mules,
    crons: companions.crons,
  };
  if (daemons.length > 0) doc.daemons = [...daemons];
  return doc;
}

function workerStats(w: WorkerView, cwd: string): StatsWorker {
  const cores = w.cores ?? [];
  const sum = (f: (c: CoreFigures) => number): number => cores.reduce((n, c) => n + f(c), 0);
  const requests = sum((c) => c.requests);
  const exceptions = sum((c) => c.exceptions);
  const runningTime = Math.round(sum((c) => c.responseMicros));
  const alive = w.pid > 0;
  return {
    id: w.id,
    pid: w.pid,
    accepting: alive && w.ready && w.role !== 'retiring' ? 1 : 0,
    requests,
    delta_requests: w.deltaRequests,
    exceptions,
    harakiri_count: w.harakiriKills + sum((c) => c.harakiri),
    signals: 0,
    signal_queue: 0,
    status: statusOf(w),
    rss: w.rssBytes,
    vsz: w.vszBytes,
    running_time: runningTime,
    last_spawn: Math.floor(w.spawnedAt / 1000),
    respawn_count: w.spawns,
    tx: sum((c) => c.txBytes),
    avg_rt: requests === 0 ? 0 : Math.round(runningTime / requests),
    apps: [{ id: 0, modifier1: 0, mountpoint: '', startup_time: 0, requests, exceptions, chdir: cwd }],
    cores: cores.map(coreStats),
    accept_turn: w.acceptTurn,
  };
}

export function statusOf(w: WorkerView): WorkerStatus {
  if (w.pid === 0) return 'cheap';
  if (w.role === 'retiring') return 'pause';
  // A worker that cannot answer a message within the wait is running synchronous code: busy.
  if (!w.fresh) return 'busy';
  return (w.cores ?? []).some((c) => c.current !== undefined) ? 'busy' : 'idle';
}

function coreStats(c: CoreFigures, id: number): StatsCore {
  const cur = c.current;
  return {
    id,
    requests: c.requests,
    static_requests: 0,
    routed_requests: 0,
    offloaded_requests: 0,
    write_errors: c.writeErrors,
    read_errors: c.readErrors,
    in_request: cur === undefined ? 0 : 1,
    vars: cur === undefined ? [] : [`REQUEST_METHOD=${cur.method}`, `REQUEST_URI=${cur.uri}`],
    req_info: cur === undefined ? {} : { request_start: Math.floor(cur.startMs / 1000) },
    upgraded: c.upgraded,
  };
}
