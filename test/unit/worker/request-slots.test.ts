import { expect } from 'chai';
import { RequestSlots } from '../../../src/worker/harakiri/request-slots';

describe('worker/harakiri: RequestSlots (every request in flight per thread)', () => {
  const make = (threads: number): RequestSlots => new RequestSlots(new SharedArrayBuffer(RequestSlots.bytesFor(threads)));
  const uris = (s: RequestSlots, thread: number, now: number): string[] => s.inFlight(thread, now).map((r) => r.uri);

  it('a thread is stuck when its oldest request ran past the limit and its heartbeat is stale', () => {
    const s = make(2);
    s.beat(0, 1000);
    s.beat(1, 1000);
    const a = s.begin(1, 42, 'GET', '/a?x=1', 1000);
    const b = s.begin(1, 43, 'GET', '/b', 1500);
    s.headSent(1, b);
    expect(s.stuck(2000, 1000, 2900), 'the oldest is under the limit').to.deep.equal([]);
    s.beat(1, 3000);
    expect(s.stuck(2000, 1000, 3100), 'the heartbeat is fresh: the sweep handles it').to.deep.equal([]);
    const [stuck] = s.stuck(2000, 1000, 4100);
    expect(stuck).to.deep.include({ thread: 1, stuckMs: 1100, overflow: 0 });
    expect(stuck.oldest).to.deep.equal({ entry: a, requestMs: 3100, fd: 42, headSent: false, method: 'GET', uri: '/a?x=1' });
    expect(stuck.inFlight.map((r) => [r.uri, r.fd, r.headSent])).to.deep.equal([['/a?x=1', 42, false], ['/b', 43, true]]);
  });

  it('the issue\'s case: /b ends after /a started, /a is still tracked and decides', () => {
    const s = make(1);
    s.beat(0, 1);
    const a = s.begin(0, 10, 'GET', '/a', 100);
    const b = s.begin(0, 11, 'GET', '/b', 200);
    s.end(0, b);
    expect(s.stuck(2000, 1000, 2500).map((t) => t.oldest.uri)).to.deep.equal(['/a']);
    s.end(0, a);
    expect(s.stuck(2000, 1000, 2500)).to.deep.equal([]);
  });

  it('ignores threads that never beat and threads with nothing in flight', () => {
    const s = make(3);
    s.begin(0, 7, 'GET', '/', 1);
    s.beat(1, 1);
    s.beat(2, 1);
    s.end(2, s.begin(2, 8, 'POST', '/x', 1));
    expect(s.stuck(10, 10, 1000)).to.deep.equal([]);
  });

  it('clears out of order: any entry can end, the oldest left decides', () => {
    const s = make(1);
    const e = ['/1', '/2', '/3', '/4'].map((u, i) => s.begin(0, i, 'GET', u, 100 + i));
    s.end(0, e[2]);
    s.end(0, e[0]);
    expect(uris(s, 0, 1000)).to.deep.equal(['/2', '/4']);
    s.end(0, e[3]);
    expect(uris(s, 0, 1000)).to.deep.equal(['/2']);
  });

  it('wraps around: freed entries are reused past the end of the table, older entries kept', () => {
    const s = make(1);
    const n = RequestSlots.capacity;
    const first = s.begin(0, 0, 'GET', '/keep', 1);
    for (let i = 1; i < n; i++) s.end(0, s.begin(0, i, 'GET', `/t${i}`, 10 + i));
    // The cursor is at the end of the table: the next entries wrap to the start, skipping /keep.
    const wrapped = [s.begin(0, 100, 'GET', '/w1', 500), s.begin(0, 101, 'GET', '/w2', 501)];
    expect(wrapped).to.not.include(first);
    expect(wrapped.every((e) => e >= 0 && e < n)).to.equal(true);
    expect(uris(s, 0, 1000)).to.deep.equal(['/keep', '/w1', '/w2']);
  });

  it('a full table keeps the oldest requests and counts the rest', () => {
    const s = make(2);
    s.beat(0, 1);
    const n = RequestSlots.capacity;
    const entries = Array.from({ length: n }, (_, i) => s.begin(0, i, 'GET', `/r${i}`, 100 + i));
    expect(new Set(entries).size).to.equal(n);
    expect(s.begin(0, 99, 'GET', '/late1', 900)).to.equal(-1);
    expect(s.begin(0, 99, 'GET', '/late2', 901)).to.equal(-1);
    let [stuck] = s.stuck(100, 100, 2000);
    expect(stuck.overflow).to.equal(2);
    expect(stuck.oldest.uri).to.equal('/r0');
    expect(stuck.inFlight).to.have.length(n);
    s.end(0, -1);
    [stuck] = s.stuck(100, 100, 2000);
    expect(stuck.overflow).to.equal(1);
    s.end(0, entries[5]);
    expect(s.begin(0, 50, 'GET', '/again', 950)).to.equal(entries[5]);
    expect(s.inFlight(1), 'the other thread is untouched').to.deep.equal([]);
  });

  it('reset forgets every request and the overflow (a replacement thread starts)', () => {
    const s = make(1);
    s.beat(0, 1);
    for (let i = 0; i <= RequestSlots.capacity; i++) s.begin(0, i, 'GET', '/x', 1);
    s.reset(0);
    expect(s.inFlight(0)).to.deep.equal([]);
    expect(s.stuck(0, 0, 10_000)).to.deep.equal([]);
    s.begin(0, 1, 'GET', '/y', 1);
    expect(s.stuck(0, 0, 10_000)[0]).to.deep.include({ overflow: 0 });
  });

  it('cuts a long label at a character boundary; a new request starts with its head not sent', () => {
    const s = make(1);
    const long = s.begin(0, 3, 'GET', `/${'é'.repeat(400)}`, 1);
    s.headSent(0, long);
    s.end(0, long);
    const next = s.begin(0, 4, 'GET', '/next', 2);
    const long2 = s.begin(0, 5, 'GET', `/${'é'.repeat(400)}`, 1);
    const [one, two] = s.inFlight(0, 10);
    expect(one).to.include({ entry: long2, fd: 5, headSent: false });
    expect(one.uri.startsWith('/é')).to.equal(true);
    expect(Buffer.byteLength(`GET ${one.uri}`)).to.be.at.most(236);
    expect(two).to.include({ entry: next, fd: 4, headSent: false, uri: '/next' });
  });
});
