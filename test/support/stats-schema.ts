/**
 * The uWSGI 2.0 stats document's key set with types (master_utils.c; what uwsgitop reads):
 * a document missing a key, or with a key of another type, fails with the key's path.
 */
import { expect } from 'chai';

type Kind = 'number' | 'string' | 'array' | 'object';

const TOP: Record<string, Kind> = {
  version: 'string', listen_queue: 'number', listen_queue_errors: 'number', signal_queue: 'number', load: 'number',
  pid: 'number', uid: 'number', gid: 'number', cwd: 'string', locks: 'array', sockets: 'array', workers: 'array',
};
const SOCKET: Record<string, Kind> = { name: 'string', proto: 'string', queue: 'number', max_queue: 'number', shared: 'number', can_offload: 'number' };
const WORKER: Record<string, Kind> = {
  id: 'number', pid: 'number', accepting: 'number', requests: 'number', delta_requests: 'number', exceptions: 'number',
  harakiri_count: 'number', signals: 'number', signal_queue: 'number', status: 'string', rss: 'number', vsz: 'number',
  running_time: 'number', last_spawn: 'number', respawn_count: 'number', tx: 'number', avg_rt: 'number', apps: 'array', cores: 'array',
};
const APP: Record<string, Kind> = { id: 'number', modifier1: 'number', mountpoint: 'string', startup_time: 'number', requests: 'number', exceptions: 'number', chdir: 'string' };
const CORE: Record<string, Kind> = {
  id: 'number', requests: 'number', static_requests: 'number', routed_requests: 'number', offloaded_requests: 'number',
  write_errors: 'number', read_errors: 'number', in_request: 'number', vars: 'array', req_info: 'object',
};

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

function check(obj: unknown, keys: Record<string, Kind>, where: string): void {
  expect(kindOf(obj), where).to.equal('object');
  for (const [k, kind] of Object.entries(keys)) {
    const v = (obj as Record<string, unknown>)[k];
    expect(kindOf(v), `${where}.${k}`).to.equal(kind);
    if (kind === 'number') expect(Number.isFinite(v) && (v as number) >= 0, `${where}.${k} = ${String(v)}`).to.equal(true);
  }
}

/** Throws (chai) naming the first key that is missing or of the wrong type. */
export function expectUwsgiStats(doc: unknown): void {
  check(doc, TOP, 'stats');
  const d = doc as { sockets: unknown[]; workers: { status: string; accepting: number; apps: unknown[]; cores: { in_request: number; vars: unknown[]; req_info: Record<string, unknown> }[] }[] };
  d.sockets.forEach((s, i) => check(s, SOCKET, `sockets[${i}]`));
  d.workers.forEach((w, i) => {
    check(w, WORKER, `workers[${i}]`);
    expect(['idle', 'busy', 'cheap', 'pause', 'sig'], `workers[${i}].status`).to.include(w.status);
    expect([0, 1], `workers[${i}].accepting`).to.include(w.accepting);
    w.apps.forEach((a, j) => check(a, APP, `workers[${i}].apps[${j}]`));
    w.cores.forEach((c, j) => {
      check(c, CORE, `workers[${i}].cores[${j}]`);
      expect([0, 1], `workers[${i}].cores[${j}].in_request`).to.include(c.in_request);
      for (const v of c.vars) expect(typeof v, `workers[${i}].cores[${j}].vars`).to.equal('string');
      if (c.in_request === 1) expect(typeof c.req_info.request_start, `workers[${i}].cores[${j}].req_info.request_start`).to.equal('number');
    });
  });
}
