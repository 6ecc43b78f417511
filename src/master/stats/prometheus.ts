/**
 * The same gathered figures as Prometheus text exposition (format 0.0.4): HELP and TYPE before
 * each family's samples, counters named *_total, one latency histogram per worker. Pure.
 *
 * Per-worker series are labelled by worker id only (not pid, which would make a new series at
 * every respawn). While a reload overlaps two generations of one id, only the serving one is
 * shown, so a label set never appears twice; a counter then restarts from the new worker's
 * figures, which Prometheus treats as a counter reset.
 */
import { LATENCY_BUCKETS_S, type CoreFigures } from '../../shared/stats-figures';
import { statusOf, type MasterView, type SocketView, type WorkerView } from './document';
import { ROLE_RANK } from '../worker-table';
import { daemonMetricLines } from '../daemons/daemon-stats';
import type { AcceptTurn, StatsDaemon } from '../../shared/stats-document';
import { companionFamilies, type CompanionsView } from './companions-document';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Sample = readonly [labels: string, value: number];

const ACCEPT_TURNS: readonly AcceptTurn[] = ['all', 'primary', 'spare', 'joined'];

export function renderPrometheus(master: MasterView, sockets: readonly SocketView[], workers: readonly WorkerView[], daemons: readonly StatsDaemon[] = [], companions: CompanionsView = { mules: [], crons: [] }): string {
  const shown = onePerId(workers);
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${formatValue(value)}`);
  };
  const perWorker = (f: (w: WorkerView, cores: readonly CoreFigures[]) => number): Sample[] =>
    shown.map((w) => [`{worker="${w.id}"}`, f(w, w.cores ?? [])]);
  const sum = (cores: readonly CoreFigures[], f: (c: CoreFigures) => number): number => cores.reduce((n, c) => n + f(c), 0);

  family('tsuwsgi_requests_total', 'counter', 'Requests answered by the worker.', perWorker((_, c) => sum(c, (x) => x.requests)));
  family(
    'tsuwsgi_responses_total', 'counter', 'Responses by status class.',
    shown.flatMap((w) => ['1xx', '2xx', '3xx', '4xx', '5xx'].map((cls, i): Sample => [`{worker="${w.id}",status="${cls}"}`, sum(w.cores ?? [], (x) => x.statusClasses[i])])),
  );
  family('tsuwsgi_exceptions_total', 'counter', 'Requests whose handler threw or rejected.', perWorker((_, c) => sum(c, (x) => x.exceptions)));
  out.push('# HELP tsuwsgi_request_duration_seconds Time from calling the app to the end of the response.', '# TYPE tsuwsgi_request_duration_seconds histogram');
  for (const w of shown) out.push(...histogram('tsuwsgi_request_duration_seconds', `worker="${w.id}"`, w.cores ?? []));
  family('tsuwsgi_sent_bytes_total', 'counter', 'Response bytes sent (head and body).', perWorker((_, c) => sum(c, (x) => x.txBytes)));
  family('tsuwsgi_read_errors_total', 'counter', 'Requests that could not be read (malformed, truncated, body cut short).', perWorker((_, c) => sum(c, (x) => x.readErrors)));
  family('tsuwsgi_write_errors_total', 'counter', 'Responses cut short because the connection closed.', perWorker((_, c) => sum(c, (x) => x.writeErrors)));
  family('tsuwsgi_requests_in_flight', 'gauge', 'Requests in progress.', perWorker((_, c) => sum(c, (x) => x.inFlight)));
  family('tsuwsgi_upgraded_connections', 'gauge', 'Open connections the app took over (WebSocket, CONNECT).', perWorker((_, c) => sum(c, (x) => x.upgraded)));
  family('tsuwsgi_harakiri_total', 'counter', 'Requests stopped by harakiri.', perWorker((w, c) => w.harakiriKills + sum(c, (x) => x.harakiri)));
  family('tsuwsgi_worker_respawns_total', 'counter', 'Times this worker id was started again (death, recycle, reload).', perWorker((w) => Math.max(0, w.spawns - 1)));
  family('tsuwsgi_worker_rss_bytes', 'gauge', 'Resident memory of the worker process.', perWorker((w) => w.rssBytes));
  family('tsuwsgi_worker_vsz_bytes', 'gauge', 'Virtual memory size of the worker process.', perWorker((w) => w.vszBytes));
  family('tsuwsgi_workers', 'gauge', 'Worker processes by state (cheap: a slot up to processes the cheaper left empty).', workerStates(workers));
  family('tsuwsgi_worker_up', 'gauge', '1 when the worker process runs and accepts.', perWorker((w) => (w.pid > 0 && w.ready ? 1 : 0)));
  family(
    'tsuwsgi_worker_accept_turn', 'gauge', 'The worker\'s accept turn (accepting-workers), 1 on the current one: all (turns off), primary, spare (not polling the sockets), joined (a spare helping saturated primaries).',
    shown.flatMap((w) => ACCEPT_TURNS.map((t): Sample => [`{worker="${w.id}",turn="${t}"}`, w.acceptTurn === t ? 1 : 0])),
  );
  family('tsuwsgi_worker_stale', 'gauge', '1 when the worker did not answer in time and its last known figures are shown.', perWorker((w) => (w.fresh ? 0 : 1)));
  family('tsuwsgi_listen_queue', 'gauge', 'Connections waiting in the socket\'s accept queue.', sockets.map((s): Sample => [socketLabels(s), s.queue]));
  family('tsuwsgi_listen_queue_max', 'gauge', 'Length of the socket\'s accept queue (backlog).', sockets.map((s): Sample => [socketLabels(s), s.maxQueue]));
  family('tsuwsgi_listen_queue_full_total', 'counter', 'Times a socket was seen with a full accept queue.', [['', master.listenQueueErrors]]);
  out.push(...daemonMetricLines(daemons, escapeLabel));
  companionFamilies(companions, family);
  return `${out.join('\n')}\n`;
}

function histogram(name: string, labels: string, cores: readonly CoreFigures[]): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  const bucket = (i: number): number => cores.reduce((n, c) => n + (c.latencyBuckets[i] ?? 0), 0);
  LATENCY_BUCKETS_S.forEach((le, i) => {
    cumulative += bucket(i);
    lines.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
  });
  cumulative += bucket(LATENCY_BUCKETS_S.length);
  lines.push(`${name}_bucket{${labels},le="+Inf"} ${cumulative}`);
  const seconds = cores.reduce((n, c) => n + c.responseMicros, 0) / 1e6;
  lines.push(`${name}_sum{${labels}} ${formatValue(seconds)}`, `${name}_count{${labels}} ${cumulative}`);
  return lines;
}

function onePerId(workers: readonly WorkerView[]): WorkerView[] {
  const byId = new Map<number, WorkerView>();
  for (const w of [...workers].sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role])) if (!byId.has(w.id)) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function socketLabels(s: SocketView): string {
  return `{socket="${escapeLabel(s.name)}",proto="${s.proto}"}`;
}

/** Label values escape backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

const WORKER_STATES = ['idle', 'busy', 'starting', 'stopping', 'cheap'] as const;

/** Every record counts once, a draining predecessor too (it is a process). */
function workerStates(workers: readonly WorkerView[]): Sample[] {
  const n = new Map<string, number>(WORKER_STATES.map((s) => [s, 0]));
  for (const w of workers) {
    const st = w.pid === 0 ? 'cheap' : w.role === 'retiring' ? 'stopping' : !w.ready ? 'starting' : statusOf(w) === 'busy' ? 'busy' : 'idle';
    n.set(st, (n.get(st) ?? 0) + 1);
  }
  return WORKER_STATES.map((s) => [`{state="${s}"}`, n.get(s) ?? 0]);
}
