import { expect } from 'chai';
import { CoreSlots, LATENCY_BUCKETS_S } from '../../../src/worker/stats/core-slots';

describe('CoreSlots (per-thread request counters in shared memory)', () => {
  const fresh = (threads = 2): CoreSlots => new CoreSlots(new SharedArrayBuffer(CoreSlots.bytesFor(threads)));

  it('starts at zero with no request in progress', () => {
    const s = fresh();
    expect(s.threads).to.equal(2);
    const f = s.read(1);
    expect(f).to.deep.include({ requests: 0, exceptions: 0, txBytes: 0, responseMicros: 0, readErrors: 0, writeErrors: 0, harakiri: 0, inFlight: 0, current: undefined });
    expect(f.statusClasses).to.deep.equal([0, 0, 0, 0, 0]);
    expect(f.latencyBuckets).to.have.length(LATENCY_BUCKETS_S.length + 1);
  });

  it('counts a finished response by status class, bytes, time and latency bucket', () => {
    const s = fresh();
    s.end(0, 200, 100, 3000); // 3 ms → first bucket (≤ 5 ms)
    s.end(0, 404, 50, 5000); // exactly 5 ms → still the first bucket (le is inclusive)
    s.end(0, 503, 10, 20_000_000); // 20 s → +Inf
    s.end(0, 101, 0, 7000); // 7 ms → ≤ 10 ms
    const f = s.read(0);
    expect(f.requests).to.equal(4);
    expect(f.statusClasses).to.deep.equal([1, 1, 0, 1, 1]);
    expect(f.txBytes).to.equal(160);
    expect(f.responseMicros).to.equal(20_015_000);
    expect(f.latencyBuckets[0]).to.equal(2);
    expect(f.latencyBuckets[1]).to.equal(1);
    expect(f.latencyBuckets[LATENCY_BUCKETS_S.length]).to.equal(1);
    expect(s.read(1).requests, 'the other thread is untouched').to.equal(0);
  });

  it('shows the current request (method, path, start, vars) while requests are in flight', () => {
    const s = fresh();
    s.show(1, 'POST', '/upload/ü?token=secret', 12, 1_700_000_000_123);
    s.inFlight(1, 2);
    expect(s.read(1).current).to.deep.equal({ startMs: 1_700_000_000_123, method: 'POST', uri: '/upload/ü', vars: 12 });
    expect(s.read(1).inFlight).to.equal(2);
    s.inFlight(1, 0);
    expect(s.read(1).current).to.equal(undefined);
  });

  it('never holds the query string, unless asked to (stats-vars)', () => {
    const s = fresh();
    s.show(0, 'GET', '/login?password=hunter2', 3, 1);
    s.inFlight(0, 1);
    expect(s.read(0).current?.uri).to.equal('/login');
    const label = Buffer.from(s.buffer).toString('latin1');
    expect(label).to.not.include('hunter2');
    const full = new CoreSlots(new SharedArrayBuffer(CoreSlots.bytesFor(1)), true);
    full.show(0, 'GET', '/login?password=hunter2', 3, 1);
    full.inFlight(0, 1);
    expect(full.read(0).current?.uri).to.equal('/login?password=hunter2');
  });

  it('truncates a very long URI to the label space instead of overrunning the next slot', () => {
    const s = fresh();
    s.show(0, 'GET', `/${'a'.repeat(5000)}`, 3, 1);
    s.inFlight(0, 1);
    const cur = s.read(0).current;
    expect(cur?.method).to.equal('GET');
    expect(cur?.uri.length).to.be.within(100, 256);
    expect(s.read(1)).to.deep.include({ requests: 0, inFlight: 0 });
  });

  it('counts exceptions, read and write errors and harakiri; idle() clears a dead thread\'s request', () => {
    const s = fresh(1);
    s.exception(0);
    s.readError(0);
    s.readError(0);
    s.abort(0);
    s.harakiri(0);
    s.inFlight(0, 1);
    s.idle(0);
    expect(s.read(0)).to.deep.include({ exceptions: 1, readErrors: 2, writeErrors: 1, harakiri: 1, inFlight: 0, current: undefined });
  });

  it('is read through another view of the same buffer (as the worker\'s main thread does)', () => {
    const buf = new SharedArrayBuffer(CoreSlots.bytesFor(3));
    new CoreSlots(buf).end(2, 200, 5, 10);
    expect(new CoreSlots(buf).readAll().map((f) => f.requests)).to.deep.equal([0, 0, 1]);
  });
});
