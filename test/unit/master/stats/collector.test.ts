import { expect } from 'chai';
import { StatsCollector, type CollectTarget } from '../../../../src/master/stats/collector';
import type { MasterToWorker } from '../../../../src/shared/ipc';
import { core } from './fixtures';

describe('StatsCollector', () => {
  const slot = (key: number, pid: number, onSend: (m: MasterToWorker) => void = () => undefined, connected = true): CollectTarget => ({
    key, pid, send: (m) => { onSend(m); return connected; },
  });

  it('asks every worker and resolves as soon as all answered', async () => {
    const c = new StatsCollector(5000);
    const started = Date.now();
    const answer = (key: number, pid: number, requests: number) => (m: MasterToWorker) => {
      if (m.act === 'stats') setImmediate(() => c.onReply(key, pid, m.round, [core({ requests })]));
    };
    const got = await c.collect([slot(1, 10, answer(1, 10, 4)), slot(2, 20, answer(2, 20, 6))]);
    expect(Date.now() - started).to.be.below(2000);
    expect(got.get(1)).to.deep.include({ fresh: true, deltaRequests: 4 });
    expect(got.get(2)?.cores?.[0].requests).to.equal(6);
  });

  it('does not wait past its bound for a worker that cannot answer, and shows its last known figures as stale', async () => {
    const c = new StatsCollector(50);
    let answering = true;
    const s = slot(1, 10, (m) => {
      if (answering && m.act === 'stats') setImmediate(() => c.onReply(1, 10, m.round, [core({ requests: 9 })]));
    });
    await c.collect([s]);
    answering = false;
    const got = await c.collect([s]);
    expect(got.get(1)).to.deep.include({ fresh: false, deltaRequests: 0 });
    expect(got.get(1)?.cores?.[0].requests).to.equal(9);
  });

  it('delta_requests counts since the previous document; a new pid in the slot starts over', async () => {
    const c = new StatsCollector(50);
    let requests = 5;
    let pid = 10;
    const s = (): CollectTarget => slot(1, pid, (m) => {
      if (m.act === 'stats') setImmediate(() => c.onReply(1, pid, m.round, [core({ requests })]));
    });
    expect((await c.collect([s()])).get(1)?.deltaRequests).to.equal(5);
    requests = 12;
    expect((await c.collect([s()])).get(1)?.deltaRequests).to.equal(7);
    pid = 11;
    requests = 2;
    expect((await c.collect([s()])).get(1)).to.deep.include({ deltaRequests: 2, fresh: true });
  });

  it('a worker with no process, or a closed channel, is not waited for', async () => {
    const c = new StatsCollector(5000);
    const started = Date.now();
    const got = await c.collect([slot(1, 0), slot(2, 20, () => undefined, false)]);
    expect(Date.now() - started).to.be.below(2000);
    expect(got.get(1)).to.deep.include({ cores: undefined, fresh: false });
  });

  it('concurrent documents share one round (one message per worker)', async () => {
    const c = new StatsCollector(5000);
    let sent = 0;
    const s = slot(1, 10, (m) => {
      sent++;
      if (m.act === 'stats') setTimeout(() => c.onReply(1, 10, m.round, [core()]), 20);
    });
    await Promise.all([c.collect([s]), c.collect([s]), c.collect([s])]);
    expect(sent).to.equal(1);
  });

  it('ignores a late reply from a previous round for freshness', async () => {
    const c = new StatsCollector(30);
    let round = 0;
    const s = slot(1, 10, (m) => {
      if (m.act === 'stats') round = m.round;
    });
    await c.collect([s]);
    const late = round;
    const next = c.collect([s]);
    c.onReply(1, 10, late, [core({ requests: 1 })]);
    const got = await next;
    expect(got.get(1)?.fresh).to.equal(false);
    expect(got.get(1)?.cores?.[0].requests).to.equal(1);
  });
});
