import type { CoreFigures } from '../../../../src/shared/stats-figures';
import type { MasterView, SocketView, WorkerView } from '../../../../src/master/stats/document';

export function core(over: Partial<CoreFigures> = {}): CoreFigures {
  return {
    requests: 0, exceptions: 0, statusClasses: [0, 0, 0, 0, 0], txBytes: 0, responseMicros: 0, readErrors: 0, writeErrors: 0,
    harakiri: 0, latencyBuckets: new Array(12).fill(0), inFlight: 0, upgraded: 0, current: undefined, ...over,
  };
}

export function worker(over: Partial<WorkerView> = {}): WorkerView {
  return {
    id: 1, pid: 100, role: 'active', ready: true, spawnedAt: 1_700_000_000_000, spawns: 1, harakiriKills: 0,
    cores: [core()], fresh: true, deltaRequests: 0, rssBytes: 50 << 20, vszBytes: 900 << 20, acceptTurn: 'all', ...over,
  };
}

export const master: MasterView = { version: '0.1.0', pid: 42, uid: 1000, gid: 1000, cwd: '/srv/app', startedAt: 1_699_999_990_000, listenQueueErrors: 3 };

export const sockets: SocketView[] = [
  { name: '/run/app.sock', proto: 'uwsgi', queue: 2, maxQueue: 1024 },
  { name: '127.0.0.1:8080', proto: 'http', queue: 1, maxQueue: 1024 },
];
