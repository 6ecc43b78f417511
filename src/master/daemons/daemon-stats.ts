/**
 * How the attached daemons show outside the master: the stats document's `daemons` array
 * (uWSGI's keys `cmd`, `pid`, `respawns`, and what tsuwsgi knows besides), the Prometheus
 * families, and SIGUSR1's lines. Pure: the daemon table and a clock in.
 */
import type { DaemonState, StatsDaemon } from '../../shared/stats-document';
import type { DaemonRecord } from './daemon-table';
import { isSmart } from './daemon-table';


export function daemonStats(records: readonly DaemonRecord[], now: number): StatsDaemon[] {
  return [...records].sort((a, b) => a.id - b.id || a.key - b.key).map((r) => ({
    id: r.id,
    cmd: r.spec.command,
    pid: r.pid ?? 0,
    respawns: r.starts,
    state: stateOf(r, now),
    smart: isSmart(r) ? 1 : 0,
    pidfile: r.spec.pidfile ?? null,
    last_exit: r.lastExit === undefined ? null : { code: r.lastExit.code, signal: r.lastExit.signal, at: Math.floor(r.lastExit.at / 1000) },
    next_start_in_ms: r.startAt === undefined ? 0 : Math.max(0, r.startAt - now),
  }));
}

function stateOf(r: DaemonRecord, now: number): DaemonState {
  if (r.stopping !== undefined) return 'stopping';
  if (r.pid !== undefined) return isSmart(r) && !r.watched ? 'starting' : 'running';
  if (r.startAt !== undefined && r.startAt > now) return 'throttled';
  return r.startAt !== undefined || r.checking ? 'starting' : 'down';
}

/** Prometheus samples, labelled by the daemon's place in the list (stable across restarts). */
export function daemonMetricLines(daemons: readonly StatsDaemon[], escapeLabel: (v: string) => string): string[] {
  if (daemons.length === 0) return [];
  // While a reload replaces one, two records share an id: the one not stopping is shown.
  const byId = new Map<number, StatsDaemon>();
  for (const d of daemons) if (!byId.has(d.id) || byId.get(d.id)?.state === 'stopping') byId.set(d.id, d);
  const shown = [...byId.values()];
  const labels = (d: StatsDaemon): string => `{daemon="${d.id}",cmd="${escapeLabel(d.cmd)}"}`;
  return [
    '# HELP tsuwsgi_daemon_up 1 when the attached daemon\'s process runs.',
    '# TYPE tsuwsgi_daemon_up gauge',
    ...shown.map((d) => `tsuwsgi_daemon_up${labels(d)} ${d.pid > 0 && d.state === 'running' ? 1 : 0}`),
    '# HELP tsuwsgi_daemon_starts_total Processes started for the attached daemon.',
    '# TYPE tsuwsgi_daemon_starts_total counter',
    ...shown.map((d) => `tsuwsgi_daemon_starts_total${labels(d)} ${d.respawns}`),
  ];
}

/** SIGUSR1's line for one daemon: its state, pid, starts, last exit. */
export function daemonReportLine(d: StatsDaemon): string {
  const exit = d.last_exit === null ? '' : `, last exit ${d.last_exit.signal ?? `code ${d.last_exit.code}`}`;
  const pid = d.pid > 0 ? ` (pid ${d.pid})` : '';
  return `daemon ${d.id}${pid} ${d.state}, ${d.respawns} start(s)${exit}: ${d.cmd}`;
}
