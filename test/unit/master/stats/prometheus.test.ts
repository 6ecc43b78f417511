import { expect } from 'chai';
import { renderPrometheus, escapeLabel } from '../../../../src/master/stats/prometheus';
import { parsePrometheus, promValue } from '../../../support/prometheus';
import { core, master, sockets, worker } from './fixtures';

describe('Prometheus text', () => {
  const buckets = (...counts: number[]): number[] => [...counts, ...new Array(12 - counts.length).fill(0)];

  it('tsuwsgi_workers counts every worker process by state, and the slots the cheaper left empty', () => {
    const f = parsePrometheus(renderPrometheus(master, sockets, [
      worker({ cores: [core({ current: { startMs: 1, method: 'GET', uri: '/', vars: 1 } })] }),
      worker({ id: 2, pid: 101 }),
      worker({ id: 3, pid: 102, ready: false }),
      worker({ id: 1, pid: 103, role: 'retiring' }),
      worker({ id: 4, pid: 0, ready: false }),
    ]));
    expect(f.get('tsuwsgi_workers')?.type).to.equal('gauge');
    const state = (s: string): number | undefined => promValue(f, 'tsuwsgi_workers', { state: s });
    expect([state('busy'), state('idle'), state('starting'), state('stopping'), state('cheap')]).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('passes the strict parser, with HELP and TYPE for every family', () => {
    const text = renderPrometheus(master, sockets, [
      worker({ cores: [core({ requests: 5, statusClasses: [0, 4, 0, 0, 1], latencyBuckets: buckets(3, 1, 0, 1), responseMicros: 40_000 })] }),
      worker({ id: 2, pid: 101, fresh: false }),
    ]);
    const f = parsePrometheus(text);
    for (const name of ['tsuwsgi_requests_total', 'tsuwsgi_responses_total', 'tsuwsgi_exceptions_total', 'tsuwsgi_request_duration_seconds', 'tsuwsgi_sent_bytes_total',
      'tsuwsgi_worker_respawns_total', 'tsuwsgi_harakiri_total', 'tsuwsgi_requests_in_flight', 'tsuwsgi_listen_queue', 'tsuwsgi_worker_rss_bytes']) {
      expect(f.has(name), name).to.equal(true);
    }
    expect(f.get('tsuwsgi_request_duration_seconds')?.type).to.equal('histogram');
    expect(promValue(f, 'tsuwsgi_requests_total', { worker: '1' })).to.equal(5);
    expect(promValue(f, 'tsuwsgi_responses_total', { worker: '1', status: '5xx' })).to.equal(1);
    expect(promValue(f, 'tsuwsgi_request_duration_seconds_bucket', { worker: '1', le: '0.005' })).to.equal(3);
    expect(promValue(f, 'tsuwsgi_request_duration_seconds_bucket', { worker: '1', le: '0.025' })).to.equal(4);
    expect(promValue(f, 'tsuwsgi_request_duration_seconds_bucket', { worker: '1', le: '+Inf' })).to.equal(5);
    expect(promValue(f, 'tsuwsgi_request_duration_seconds_count', { worker: '1' })).to.equal(5);
    expect(promValue(f, 'tsuwsgi_request_duration_seconds_sum', { worker: '1' })).to.equal(0.04);
    expect(promValue(f, 'tsuwsgi_worker_stale', { worker: '2' })).to.equal(1);
    expect(promValue(f, 'tsuwsgi_listen_queue', { socket: '/run/app.sock', proto: 'uwsgi' })).to.equal(2);
    expect(promValue(f, 'tsuwsgi_listen_queue_full_total')).to.equal(3);
  });

  it('shows one series per worker id while a reload overlaps two generations (the serving one)', () => {
    const text = renderPrometheus(master, [], [
      worker({ id: 1, pid: 200, role: 'retiring', cores: [core({ requests: 900 })] }),
      worker({ id: 1, pid: 300, role: 'active', cores: [core({ requests: 7 })] }),
    ]);
    const f = parsePrometheus(text);
    expect(f.get('tsuwsgi_requests_total')?.samples).to.have.length(1);
    expect(promValue(f, 'tsuwsgi_requests_total', { worker: '1' })).to.equal(7);
  });

  it('counts respawns as spawns - 1 and harakiri from the master and the threads', () => {
    const f = parsePrometheus(renderPrometheus(master, [], [worker({ spawns: 4, harakiriKills: 2, cores: [core({ harakiri: 1, upgraded: 2 }), core({ harakiri: 1, inFlight: 3, upgraded: 5 })] })]));
    expect(promValue(f, 'tsuwsgi_worker_respawns_total', { worker: '1' })).to.equal(3);
    expect(promValue(f, 'tsuwsgi_harakiri_total', { worker: '1' })).to.equal(4);
    expect(promValue(f, 'tsuwsgi_requests_in_flight', { worker: '1' })).to.equal(3);
    expect(promValue(f, 'tsuwsgi_upgraded_connections', { worker: '1' })).to.equal(7);
    expect(f.get('tsuwsgi_upgraded_connections')?.type).to.equal('gauge');
  });

  it('tsuwsgi_worker_accept_turn: 1 on each worker\'s turn, 0 on the others', () => {
    const f = parsePrometheus(renderPrometheus(master, [], [
      worker({ id: 1, acceptTurn: 'primary' }),
      worker({ id: 2, pid: 101, acceptTurn: 'spare' }),
      worker({ id: 3, pid: 102, acceptTurn: 'joined' }),
    ]));
    const turn = (w: string, t: string): number | undefined => promValue(f, 'tsuwsgi_worker_accept_turn', { worker: w, turn: t });
    expect([turn('1', 'primary'), turn('2', 'spare'), turn('3', 'joined')]).to.deep.equal([1, 1, 1]);
    expect([turn('1', 'spare'), turn('1', 'all'), turn('2', 'primary'), turn('3', 'spare')]).to.deep.equal([0, 0, 0, 0]);
    expect(f.get('tsuwsgi_worker_accept_turn')?.samples).to.have.length(12);
  });

  it('escapes label values (a socket path with a quote or backslash)', () => {
    expect(escapeLabel('a"b\\c\nd')).to.equal('a\\"b\\\\c\\nd');
    const f = parsePrometheus(renderPrometheus(master, [{ name: '/tmp/we"ird\\.sock', proto: 'uwsgi', queue: 0, maxQueue: 5 }], []));
    expect(promValue(f, 'tsuwsgi_listen_queue_max', { socket: '/tmp/we"ird\\.sock' })).to.equal(5);
  });

  describe('the strict parser rejects', () => {
    const bad: [string, string, string][] = [
      ['a sample before HELP/TYPE', 'x_total 1\n', 'outside its family'],
      ['TYPE without HELP', '# TYPE x_total counter\nx_total 1\n', 'without a HELP'],
      ['a bad metric name', '# HELP 1x h\n# TYPE 1x gauge\n', 'malformed HELP'],
      ['a bad value', '# HELP x h\n# TYPE x gauge\nx one\n', 'bad value'],
      ['a duplicate series', '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n', 'duplicate'],
      ['a counter without _total', '# HELP x h\n# TYPE x counter\nx 1\n', '_total'],
      ['non-cumulative buckets', '# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', 'cumulative'],
      ['+Inf != _count', '# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', '_count'],
      ['a histogram without +Inf', '# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', '+Inf'],
      ['a missing final newline', '# HELP x h\n# TYPE x gauge\nx 1', 'newline'],
      ['malformed labels', '# HELP x h\n# TYPE x gauge\nx{a=1} 1\n', 'labels'],
    ];
    for (const [what, text, message] of bad) it(what, () => expect(() => parsePrometheus(text)).to.throw(message));
  });
});
