/**
 * The stats document: what the stats server sends and `tsuwsgi top`, Prometheus and app authors
 * read (a contract, so it lives here; master/stats/document.ts builds it). uWSGI 2.0's JSON shape
 * and key set (`master_utils.c`), so uwsgitop and other existing tools read it too.
 */
export interface StatsCore {
  id: number;
  requests: number;
  static_requests: number;
  routed_requests: number;
  offloaded_requests: number;
  write_errors: number;
  read_errors: number;
  in_request: 0 | 1;
  /** "KEY=value" of the request in progress (REQUEST_METHOD, REQUEST_URI), else empty. */
  vars: string[];
  /** request_start (unix seconds) while in a request, else empty. */
  req_info: { request_start?: number };
  /** Not in uWSGI: open connections the app took over (WebSocket, CONNECT) on this thread. */
  upgraded: number;
}

export interface StatsApp {
  id: number;
  modifier1: number;
  mountpoint: string;
  startup_time: number;
  requests: number;
  exceptions: number;
  chdir: string;
}

export type WorkerStatus = 'idle' | 'busy' | 'cheap' | 'pause' | 'sig';

/**
 * tsuwsgi's own: the worker's accept turn (accepting-workers). `all`: turns do not apply, every
 * worker accepts; `primary`: it always accepts; `spare`: it waits out of the poll set;
 * `joined`: a spare accepting because the primaries are saturated.
 */
export type AcceptTurn = 'all' | 'primary' | 'spare' | 'joined';

export interface StatsWorker {
  id: number;
  pid: number;
  accepting: 0 | 1;
  requests: number;
  delta_requests: number;
  exceptions: number;
  harakiri_count: number;
  signals: number;
  signal_queue: number;
  status: WorkerStatus;
  /** Bytes. */
  rss: number;
  vsz: number;
  /** µs spent answering requests. */
  running_time: number;
  /** Unix seconds. */
  last_spawn: number;
  respawn_count: number;
  /** Bytes sent. */
  tx: number;
  /** Average response time, µs. */
  avg_rt: number;
  apps: StatsApp[];
  cores: StatsCore[];
  accept_turn: AcceptTurn;
}

export interface StatsSocket {
  name: string;
  proto: string;
  queue: number;
  max_queue: number;
  shared: number;
  can_offload: number;
}

/** The document the stats server sends: uWSGI 2.0's keys and meanings. */
export interface StatsDocument {
  version: string;
  listen_queue: number;
  listen_queue_errors: number;
  signal_queue: number;
  /** Requests in progress over every worker (an async app thread may run several). */
  load: number;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  locks: Record<string, number>[];
  /** Not in uWSGI: when the master started (unix seconds), for uptime. */
  master_started: number;
  sockets: StatsSocket[];
  workers: StatsWorker[];
  /** The attached daemons; present only when there are some, as in uWSGI. */
  daemons?: StatsDaemon[];
  /** uWSGI's mules array, with tsuwsgi's keys added; absent from older servers (and uWSGI's has only id, pid, signals, signal_queue). */
  mules?: StatsMule[];
  /** Not in uWSGI: the cron jobs. */
  crons?: StatsCron[];
}

export type DaemonState = 'running' | 'starting' | 'throttled' | 'stopping' | 'down';

/** One attached daemon: uWSGI's `cmd`, `pid`, `respawns`, and what tsuwsgi knows besides. */
export interface StatsDaemon {
  /** Its place in the configuration's daemon list (1-based). */
  id: number;
  cmd: string;
  /** 0 when no process is known. */
  pid: number;
  /** Processes started for it (uWSGI counts the first start too). */
  respawns: number;
  state: DaemonState;
  /** 1 for a smart daemon (watched through `pidfile`). */
  smart: 0 | 1;
  pidfile: string | null;
  /** Its last exit: code or signal, and when (unix seconds); null before any. */
  last_exit: { code: number | null; signal: string | null; at: number } | null;
  /** ms until its next start while throttled, else 0. */
  next_start_in_ms: number;
}

/** One mule (master/stats/companions-document.ts builds it). */
export type MuleStatus = 'idle' | 'busy' | 'starting' | 'stopping' | 'down';

export interface StatsMule {
  id: number;
  /** 0 while it has no process. */
  pid: number;
  signals: number;
  signal_queue: number;
  status: MuleStatus;
  /** The module (and :function) it runs. */
  module: string;
  /** Unix seconds. */
  last_spawn: number;
  respawn_count: number;
  /** Messages waiting in the master, and handed to the mule but not yet handled. */
  queue: number;
  in_hand: number;
  messages: number;
  lost: number;
  rss: number;
  vsz: number;
}

export interface StatsCron {
  id: number;
  schedule: string;
  /** The run in progress, else 0. */
  pid: number;
  runs: number;
  skips: number;
  failures: number;
  /** Unix seconds of the next run; 0 if it never fires again. */
  next_run: number;
  /** The last run's exit code (-1: ended on a signal, or none yet), and when it ended. */
  last_exit: number;
  last_run: number;
}

