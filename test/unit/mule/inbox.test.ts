/**
 * A mule's inbox: one message at a time to the consumer the mule chose (onMessage or the async
 * iterator), a `done` per message handled, and a stop that waits for the message in hand.
 */
import { expect } from 'chai';
import { MuleInbox } from '../../../src/mule/inbox';
import type { Logger } from '../../../src/shared/logger';

const errors: string[] = [];
const log = { error: (_: unknown, msg: string) => void errors.push(msg) } as unknown as Logger;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('mule/inbox: a mule\'s messages, one at a time', () => {
  it('onMessage: the next message only once the handler\'s promise settles; a done per message', async () => {
    let done = 0;
    const inbox = new MuleInbox((what) => void (what === 'done' && done++), log);
    const seen: unknown[] = [];
    const release: (() => void)[] = [];
    inbox.push(1);
    inbox.push(2);
    inbox.onMessage((m) => {
      seen.push(m);
      return new Promise<void>((r) => release.push(r));
    });
    await tick();
    expect(seen).to.deep.equal([1]);
    expect(done).to.equal(0);
    release[0]();
    await tick();
    expect(seen).to.deep.equal([1, 2]);
    expect(done).to.equal(1);
  });

  it('a handler that throws is logged and the next message still comes', async () => {
    let done = 0;
    const inbox = new MuleInbox((what) => void (what === 'done' && done++), log);
    const seen: unknown[] = [];
    inbox.onMessage((m) => {
      seen.push(m);
      if (m === 'bad') throw new Error('boom');
    });
    inbox.push('bad');
    inbox.push('good');
    await tick();
    await tick();
    expect(seen).to.deep.equal(['bad', 'good']);
    expect(done).to.equal(2);
    expect(errors.some((e) => e.includes('boom'))).to.equal(true);
  });

  it('the iterator: a message is done when the loop asks for the next; stop ends the loop', async () => {
    let done = 0;
    const inbox = new MuleInbox((what) => void (what === 'done' && done++), log);
    const seen: unknown[] = [];
    let hold: Promise<void> | undefined;
    let release: () => void = () => undefined;
    const loop = (async () => {
      for await (const m of inbox.messages) {
        seen.push(m);
        if (hold !== undefined) await hold;
      }
      return 'ended';
    })();
    inbox.push('a');
    await tick();
    expect(seen).to.deep.equal(['a']);
    expect(done, 'a is done once the loop asks for the next').to.equal(1);
    hold = new Promise<void>((r) => (release = r));
    inbox.push('b');
    await tick();
    expect(seen).to.deep.equal(['a', 'b']);
    expect(done, 'b is in hand').to.equal(1);
    const stopping = inbox.stop();
    release();
    await stopping;
    expect(await loop).to.equal('ended');
    expect(done).to.equal(2);
  });

  it('stop waits for the handler in progress, and hands out nothing more', async () => {
    const inbox = new MuleInbox(() => undefined, log);
    let finish: () => void = () => undefined;
    const seen: unknown[] = [];
    inbox.onMessage((m) => {
      seen.push(m);
      return new Promise<void>((r) => (finish = r));
    });
    inbox.push(1);
    inbox.push(2);
    await tick();
    let stopped = false;
    const stopping = inbox.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).to.equal(false);
    finish();
    await stopping;
    expect(seen).to.deep.equal([1]);
  });

  it('reports taken when a message reaches the code, done when it is handled, in turn', async () => {
    const reports: string[] = [];
    const inbox = new MuleInbox((what) => void reports.push(what), log);
    inbox.push(1);
    expect(reports, 'nothing is taken before a consumer exists').to.deep.equal([]);
    inbox.onMessage(() => undefined);
    inbox.push(2);
    await tick();
    await tick();
    expect(reports).to.deep.equal(['taken', 'done', 'taken', 'done']);
  });

  it('one consumer only', () => {
    const inbox = new MuleInbox(() => undefined, log);
    inbox.onMessage(() => undefined);
    expect(() => inbox.messages[Symbol.asyncIterator]()).to.throw(/one way/);
    expect(() => inbox.onMessage(() => undefined)).to.throw(/one way/);
  });
});
