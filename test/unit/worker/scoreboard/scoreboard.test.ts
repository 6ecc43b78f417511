/**
 * The scoreboard as its readers see it (the stats, harakiri's watchdog, SIGUSR1), written by
 * RowWriter as the app threads write it. The assertions of the former CoreSlots (stats) and
 * RequestSlots (harakiri) tests, rewritten against the one board.
 */
import { expect } from 'chai';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { waitUntil } from '../../../support/wait';
import { LATENCY_BUCKETS_S } from '../../../../src/shared/stats-figures';
import { TABLE_ENTRIES } from '../../../../src/worker/scoreboard/layout';
import { testBoard } from './board';

describe('worker/scoreboard: the stats figures of a row', () => {
  it('starts at zero with no request in progress', () => {
    const { board } = testBoard(2);
    expect(board.rows).to.equal(2);
    const f = board.figures(1, false);
    expect(f).to.deep.include({ requests: 0, exceptions: 0, txBytes: 0, responseMicros: 0, readErrors: 0, writeErrors: 0, harakiri: 0, inFlight: 0, upgraded: 0, current: undefined });
    expect(f.statusClasses).to.deep.equal([0, 0, 0, 0, 0]);
    expect(f.latencyBuckets).to.have.length(LATENCY_BUCKETS_S.length + 1);
  });

  it('shows the upgraded connections of the last heartbeat, and none for a retired row', () => {
    const { board, rows } = testBoard(2);
    rows[1].reset();
    rows[1].beat(Date.now(), 7, 5);
    expect(board.figures(1, false).upgraded).to.equal(5);
    expect(board.upgraded(1)).to.equal(5);
    expect(board.connections(1)).to.equal(7);
    expect(board.figures(0, false).upgraded).to.equal(0);
    board.retire(1);
    expect(board.figures(1, false).upgraded).to.equal(0);
  });

  it('counts a finished response by status class, bytes, time and latency bucket', () => {
    const { board, rows } = testBoard(2);
    rows[0].finished(200, 100, 3000); // 3 ms → first bucket (≤ 5 ms)
    rows[0].finished(404, 50, 5000); // exactly 5 ms → still the first bucket (le is inclusive)
    rows[0].finished(503, 10, 20_000_000); // 20 s → +Inf
    rows[0].finished(101, 0, 7000); // 7 ms → ≤ 10 ms
    const f = board.figures(0, false);
    expect(f.requests).to.equal(4);
    expect(f.statusClasses).to.deep.equal([1, 1, 0, 1, 1]);
    expect(f.txBytes).to.equal(160);
    expect(f.responseMicros).to.equal(20_015_000);
    expect(f.latencyBuckets[0]).to.equal(2);
    expect(f.latencyBuckets[1]).to.equal(1);
    expect(f.latencyBuckets[LATENCY_BUCKETS_S.length]).to.equal(1);
    expect(board.figures(1, false).requests, 'the other thread is untouched').to.equal(0);
  });

  it('puts each response time in the first bucket whose bound it does not pass, the rest in +Inf', () => {
    const { board, rows } = testBoard(1);
    LATENCY_BUCKETS_S.forEach((s, i) => {
      rows[0].finished(200, 0, s * 1e6); // on the bound: bucket i
      rows[0].finished(200, 0, s * 1e6 + 1); // 1 µs past it: bucket i + 1
      expect(board.figures(0, false).latencyBuckets[i], `bound ${s} s`).to.equal(i === 0 ? 1 : 2);
    });
    rows[0].finished(200, 0, 0);
    const buckets = board.figures(0, false).latencyBuckets;
    expect(buckets[0]).to.equal(2);
    expect(buckets[LATENCY_BUCKETS_S.length], '+Inf: only what passed the last bound').to.equal(1);
    expect(buckets.reduce((n, b) => n + b, 0)).to.equal(2 * LATENCY_BUCKETS_S.length + 1);
  });

  it('status classes outside 1xx..5xx are counted as requests, in no class', () => {
    const { board, rows } = testBoard(1);
    rows[0].finished(99, 0, 1);
    rows[0].finished(600, 0, 1);
    expect(board.figures(0, false)).to.deep.include({ requests: 2, statusClasses: [0, 0, 0, 0, 0] });
  });

  it('shows the current request (method, path, start, vars) while requests are in flight', () => {
    const { board, rows } = testBoard(2);
    rows[1].reset(1_700_000_000_000);
    const first = rows[1].begin('POST', '/upload/ü?token=secret', -1, 12, 1_700_000_000_123);
    const second = rows[1].begin('GET', '/later', -1, 3, 1_700_000_000_500);
    expect(board.figures(1, false).current).to.deep.equal({ startMs: 1_700_000_000_123, method: 'POST', uri: '/upload/ü', vars: 12 });
    expect(board.figures(1, false).inFlight).to.equal(2);
    rows[1].end(first);
    expect(board.figures(1, false).current?.uri, 'the oldest left is shown').to.equal('/later');
    rows[1].end(second);
    expect(board.figures(1, false).current).to.equal(undefined);
    expect(board.figures(1, false).inFlight).to.equal(0);
  });

  it('never lets the query string out of the worker, unless asked to (stats-vars)', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    rows[0].begin('GET', '/login?password=hunter2', -1, 3, 1);
    expect(board.figures(0, false).current?.uri).to.equal('/login');
    // What crosses to the master: the figures. (The board itself keeps the whole URI: harakiri's
    // line and SIGUSR1's, the operator's own log, name it, as the request line does.)
    expect(JSON.stringify(board.figuresOfAll(false))).to.not.include('hunter2');
    expect(board.figures(0, true).current?.uri).to.equal('/login?password=hunter2');
    expect(board.oldest(0)?.uri).to.equal('/login?password=hunter2');
  });

  it('truncates a very long URI to the label space instead of overrunning the next entry or row', () => {
    const { board, rows } = testBoard(2);
    rows[0].reset(1);
    rows[0].begin('GET', `/${'a'.repeat(5000)}`, -1, 3, 1);
    const next = rows[0].begin('GET', '/next', -1, 3, 2);
    const cur = board.figures(0, false).current;
    expect(cur?.method).to.equal('GET');
    expect(cur?.uri.length).to.be.within(100, 256);
    expect(board.inFlight(0).find((r) => r.entry === next)?.uri).to.equal('/next');
    expect(board.figures(1, false)).to.deep.include({ requests: 0, inFlight: 0 });
  });

  it("counts exceptions, read and write errors and harakiri; a replacement thread's reset clears its predecessor's requests", () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    rows[0].exception();
    rows[0].readError(0);
    rows[0].readError(0);
    rows[0].aborted();
    rows[0].harakiri();
    rows[0].begin('GET', '/gone', -1, 1, 1);
    rows[0].reset(2);
    expect(board.figures(0, false)).to.deep.include({ exceptions: 1, readErrors: 2, writeErrors: 1, harakiri: 1, inFlight: 0, current: undefined });
  });

  it('a retired row (its thread ended) shows nothing in flight, and keeps its counters', () => {
    const { board, rows } = testBoard(2);
    rows[1].reset(1);
    rows[1].begin('GET', '/stuck', -1, 1, 1);
    rows[1].finished(200, 1, 1);
    board.countHarakiri(1);
    board.retire(1);
    expect(board.figures(1, false)).to.deep.include({ requests: 1, harakiri: 1, inFlight: 0, current: undefined });
    expect(board.beat(1)).to.equal(0);
    expect(board.started(1)).to.equal(1);
  });

  it("is read through another view of the same buffer (as the worker's main thread does)", () => {
    const { board, rows } = testBoard(3);
    rows[2].finished(200, 5, 10);
    expect(board.figuresOfAll(false).map((f) => f.requests)).to.deep.equal([0, 0, 1]);
  });

  it('sums the request counts of every row (max-requests)', () => {
    const { board, rows } = testBoard(3);
    rows[0].begin('GET', '/', -1, 0, 1);
    rows[2].end(rows[2].begin('GET', '/', -1, 0, 1));
    rows[2].begin('GET', '/', -1, 0, 1);
    expect([board.started(0), board.started(1), board.started(2)]).to.deep.equal([1, 0, 2]);
    expect(board.totalStarted()).to.equal(3);
  });
});

describe('worker/scoreboard: every request in flight per thread (harakiri)', () => {
  const uris = (b: ReturnType<typeof testBoard>['board'], row: number, now: number): string[] => b.inFlight(row, now).map((r) => r.uri);

  it('a thread is stuck when its oldest request ran past the limit and its heartbeat is stale', () => {
    const { board, rows } = testBoard(2);
    rows[0].reset(1000);
    rows[1].reset(1000);
    const a = rows[1].begin('GET', '/a?x=1', 42, 0, 1000);
    const b = rows[1].begin('GET', '/b', 43, 0, 1500);
    rows[1].headSent(b);
    expect(board.stuck(2000, 1000, 2900), 'the oldest is under the limit').to.deep.equal([]);
    rows[1].beat(3000, 0);
    expect(board.stuck(2000, 1000, 3100), 'the heartbeat is fresh: the sweep handles it').to.deep.equal([]);
    const [stuck] = board.stuck(2000, 1000, 4100);
    expect(stuck).to.deep.include({ thread: 1, stuckMs: 1100, overflow: 0 });
    expect(stuck.oldest).to.deep.equal({ entry: a, startMs: 1000, requestMs: 3100, fd: 42, headSent: false, vars: 0, method: 'GET', uri: '/a?x=1' });
    expect(stuck.inFlight.map((r) => [r.uri, r.fd, r.headSent])).to.deep.equal([['/a?x=1', 42, false], ['/b', 43, true]]);
  });

  it("the issue's case: /b ends after /a started, /a is still tracked and decides", () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const a = rows[0].begin('GET', '/a', 10, 0, 100);
    const b = rows[0].begin('GET', '/b', 11, 0, 200);
    rows[0].end(b);
    expect(board.stuck(2000, 1000, 2500).map((t) => t.oldest.uri)).to.deep.equal(['/a']);
    rows[0].end(a);
    expect(board.stuck(2000, 1000, 2500)).to.deep.equal([]);
  });

  it('ignores threads that never beat, retired threads and threads with nothing in flight', () => {
    const { board, rows } = testBoard(4);
    rows[0].begin('GET', '/', 7, 0, 1);
    rows[1].reset(1);
    rows[2].reset(1);
    rows[2].end(rows[2].begin('POST', '/x', 8, 0, 1));
    rows[3].reset(1);
    rows[3].begin('GET', '/ended', 9, 0, 1);
    board.retire(3);
    expect(board.stuck(10, 10, 1000)).to.deep.equal([]);
  });

  it('clears out of order: any entry can end, the oldest left decides', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const e = ['/1', '/2', '/3', '/4'].map((u, i) => rows[0].begin('GET', u, i, 0, 100 + i));
    rows[0].end(e[2]);
    rows[0].end(e[0]);
    expect(uris(board, 0, 1000)).to.deep.equal(['/2', '/4']);
    rows[0].end(e[3]);
    expect(uris(board, 0, 1000)).to.deep.equal(['/2']);
    expect(board.stuck(100, 100, 5000)[0].oldest.uri).to.equal('/2');
  });

  it('wraps around: freed entries are reused past the end of the table, older entries kept', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const n = TABLE_ENTRIES;
    const first = rows[0].begin('GET', '/keep', 0, 0, 1);
    for (let i = 1; i < n; i++) rows[0].end(rows[0].begin('GET', `/t${i}`, i, 0, 10 + i));
    // The cursor is at the end of the table: the next entries wrap to the start, skipping /keep.
    const wrapped = [rows[0].begin('GET', '/w1', 100, 0, 500), rows[0].begin('GET', '/w2', 101, 0, 501)];
    expect(wrapped).to.not.include(first);
    expect(wrapped.every((e) => e >= 0 && e < n)).to.equal(true);
    expect(uris(board, 0, 1000)).to.deep.equal(['/keep', '/w1', '/w2']);
  });

  it('a full table keeps the oldest requests and counts the rest', () => {
    const { board, rows } = testBoard(2);
    rows[0].reset(1);
    const n = TABLE_ENTRIES;
    const entries = Array.from({ length: n }, (_, i) => rows[0].begin('GET', `/r${i}`, i, 0, 100 + i));
    expect(new Set(entries).size).to.equal(n);
    expect(rows[0].begin('GET', '/late1', 99, 0, 900)).to.equal(-1);
    expect(rows[0].begin('GET', '/late2', 99, 0, 901)).to.equal(-1);
    let [stuck] = board.stuck(100, 100, 2000);
    expect(stuck.overflow).to.equal(2);
    expect(stuck.oldest.uri).to.equal('/r0');
    expect(stuck.inFlight).to.have.length(n);
    expect(board.figures(0, false).inFlight, 'the stats count them all').to.equal(n + 2);
    expect(board.started(0)).to.equal(n + 2);
    rows[0].end(-1);
    [stuck] = board.stuck(100, 100, 2000);
    expect(stuck.overflow).to.equal(1);
    rows[0].end(entries[5]);
    expect(rows[0].begin('GET', '/again', 50, 0, 950)).to.equal(entries[5]);
    expect(board.inFlight(1), 'the other thread is untouched').to.deep.equal([]);
  });

  it('reset forgets every request and the overflow (a replacement thread starts)', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    for (let i = 0; i <= TABLE_ENTRIES; i++) rows[0].begin('GET', '/x', i, 0, 1);
    rows[0].reset(1);
    expect(board.inFlight(0)).to.deep.equal([]);
    expect(board.stuck(0, 0, 10_000)).to.deep.equal([]);
    rows[0].begin('GET', '/y', 1, 0, 1);
    expect(board.stuck(0, 0, 10_000)[0]).to.deep.include({ overflow: 0 });
  });

  it('cuts a long label at a character boundary; a new request starts with its head not sent', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const long = rows[0].begin('GET', `/${'é'.repeat(400)}`, 3, 0, 1);
    rows[0].headSent(long);
    rows[0].end(long);
    const next = rows[0].begin('GET', '/next', 4, 0, 2);
    const long2 = rows[0].begin('GET', `/${'é'.repeat(400)}`, 5, 0, 1);
    const [one, two] = board.inFlight(0, 10);
    expect(one).to.include({ entry: long2, fd: 5, headSent: false });
    expect(one.uri.startsWith('/é')).to.equal(true);
    expect(Buffer.byteLength(`GET ${one.uri}`)).to.be.at.most(236);
    expect(two).to.include({ entry: next, fd: 4, headSent: false, uri: '/next' });
  });
});

describe('worker/scoreboard: a reader racing the writer', function () {
  this.timeout(20_000);

  it('never gets a torn entry: every field of a copy belongs to the same request', async () => {
    const { board } = testBoard(1);
    const ms = 500;
    const writer = new Worker(
      `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'busy-writer.ts'))});`,
      { eval: true, workerData: { buffer: board.view.buffer, ms } },
    );
    const written = new Promise<number>((resolve, reject) => {
      writer.once('message', resolve);
      writer.once('error', reject);
    });
    await waitUntil('the writer started', () => board.beat(0) !== 0, 10_000, 1);
    let copies = 0;
    const torn: unknown[] = [];
    const until = Date.now() + ms - 100;
    while (Date.now() < until) {
      for (const r of board.inFlight(0, 0)) {
        copies++;
        const n = r.startMs;
        if (r.uri !== `/r${n}` || r.fd !== n % 1_000_000 || r.vars !== n % 1000 || r.method !== 'GET') torn.push(r);
      }
    }
    const requests = await written;
    expect(torn.slice(0, 3), `${torn.length} torn of ${copies}`).to.deep.equal([]);
    expect(requests, 'the writer ran').to.be.above(10_000);
    expect(copies, 'the reader copied entries while it ran').to.be.above(1000);
  });
});
