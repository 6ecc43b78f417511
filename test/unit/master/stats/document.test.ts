import { expect } from 'chai';
import { buildStatsDocument } from '../../../../src/master/stats/document';
import { expectUwsgiStats } from '../../../support/stats-schema';
import { core, master, sockets, worker } from './fixtures';

describe('stats document (uWSGI 2.0 shape)', () => {
  it('has every uWSGI key with its type, for every worker status', () => {
    const doc = buildStatsDocument(master, sockets, [
      worker(),
      worker({ id: 2, pid: 0, cores: undefined, fresh: false }),
      worker({ id: 3, role: 'retiring' }),
      worker({ id: 4, fresh: false }),
    ]);
    expectUwsgiStats(doc);
    expect(doc.workers.map((w) => w.status)).to.deep.equal(['idle', 'cheap', 'pause', 'busy']);
    expect(doc.workers.map((w) => w.accepting)).to.deep.equal([1, 0, 0, 1]);
  });

  it('the schema check fails on a missing key or a wrong type', () => {
    const doc = buildStatsDocument(master, sockets, [worker()]) as unknown as Record<string, unknown>;
    expect(() => expectUwsgiStats({ ...doc, listen_queue: '0' })).to.throw('stats.listen_queue');
    const { cwd: _cwd, ...noCwd } = doc;
    expect(() => expectUwsgiStats(noCwd)).to.throw('stats.cwd');
  });

  it('adds up the cores into the worker: requests, exceptions, tx, running_time (µs), avg_rt', () => {
    const doc = buildStatsDocument(master, sockets, [
      worker({ cores: [core({ requests: 3, exceptions: 1, txBytes: 300, responseMicros: 3000, harakiri: 1 }), core({ requests: 1, txBytes: 50, responseMicros: 5000 })], harakiriKills: 2, deltaRequests: 4 }),
    ]);
    const w = doc.workers[0];
    expect(w).to.include({ requests: 4, exceptions: 1, tx: 350, running_time: 8000, avg_rt: 2000, harakiri_count: 3, delta_requests: 4 });
    expect(w.apps[0]).to.include({ requests: 4, exceptions: 1, chdir: '/srv/app' });
    expect(w.cores.map((c) => c.requests)).to.deep.equal([3, 1]);
    expect(w.cores.map((c) => c.id)).to.deep.equal([0, 1]);
  });

  it('shows a request in progress as busy, in_request 1, its vars and request_start in seconds', () => {
    const cur = { startMs: 1_700_000_123_999, method: 'GET', uri: '/slow?x=1', vars: 14 };
    const doc = buildStatsDocument(master, sockets, [worker({ cores: [core(), core({ inFlight: 2, current: cur, upgraded: 4 })] })]);
    const w = doc.workers[0];
    expect(w.status).to.equal('busy');
    expect(w.cores[1]).to.deep.include({ in_request: 1, vars: ['REQUEST_METHOD=GET', 'REQUEST_URI=/slow?x=1'], req_info: { request_start: 1_700_000_123 } });
    expect(w.cores[0]).to.deep.include({ in_request: 0, vars: [], req_info: {}, upgraded: 0 });
    expect(w.cores[1]).to.deep.include({ upgraded: 4 });
    expect(doc.load, 'requests in flight, two on one thread').to.equal(2);
  });

  it('carries the master and socket figures: pid, ids, cwd, queues, last_spawn in seconds, respawn_count', () => {
    const doc = buildStatsDocument(master, sockets, [worker({ spawns: 3 })]);
    expect(doc).to.include({ version: '0.1.0', pid: 42, uid: 1000, gid: 1000, cwd: '/srv/app', listen_queue: 3, listen_queue_errors: 3, master_started: 1_699_999_990 });
    expect(doc.sockets[0]).to.deep.equal({ name: '/run/app.sock', proto: 'uwsgi', queue: 2, max_queue: 1024, shared: 0, can_offload: 0 });
    expect(doc.workers[0]).to.include({ last_spawn: 1_700_000_000, respawn_count: 3, rss: 50 << 20, vsz: 900 << 20 });
  });

  it('avg_rt is 0 before the first request (no division by zero)', () => {
    expect(buildStatsDocument(master, [], [worker()]).workers[0].avg_rt).to.equal(0);
  });
});
