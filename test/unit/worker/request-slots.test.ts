import { expect } from 'chai';
import { RequestSlots } from '../../../src/worker/harakiri/request-slots';

describe('worker/harakiri: RequestSlots', () => {
  const make = (threads: number): RequestSlots => new RequestSlots(new SharedArrayBuffer(RequestSlots.bytesFor(threads)));

  it('reports a thread whose heartbeat is stale while a request is on it, with the request', () => {
    const s = make(2);
    s.beat(0, 1000);
    s.beat(1, 1000);
    s.begin(1, 42, 'GET', '/loop?x=1', 1500);
    s.headSent(1);
    expect(s.stuck(2000, 2900)).to.deep.equal([]);
    expect(s.stuck(2000, 3100)).to.deep.equal([
      { thread: 1, stuckMs: 2100, requestMs: 1600, fd: 42, headSent: true, method: 'GET', uri: '/loop?x=1' },
    ]);
  });

  it('ignores idle threads, cleared requests and threads that never beat', () => {
    const s = make(3);
    s.begin(0, 7, 'GET', '/', 0 + 1);
    s.beat(1, 1);
    s.beat(2, 1);
    s.begin(2, 8, 'POST', '/x', 1);
    s.clear(2);
    expect(s.stuck(10, 1000)).to.deep.equal([]);
  });

  it('truncates a long URI at a character boundary and a new request resets head-sent', () => {
    const s = make(1);
    s.beat(0, 1);
    s.begin(0, 3, 'GET', `/${'é'.repeat(400)}`, 1);
    s.headSent(0);
    s.begin(0, 4, 'GET', '/next', 1);
    const [one] = s.stuck(0, 10);
    expect(one).to.include({ fd: 4, headSent: false, uri: '/next' });
    s.begin(0, 5, 'GET', `/${'é'.repeat(400)}`, 1);
    const [long] = s.stuck(0, 10);
    expect(long.uri.startsWith('/é')).to.equal(true);
    expect(Buffer.byteLength(`GET ${long.uri}`)).to.be.at.most(480);
  });
});
