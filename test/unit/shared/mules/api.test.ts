/**
 * `mules.send` as app code calls it: what it refuses before anything leaves the thread, how it
 * finds the runtime (a hook on globalThis, so a second copy of the package works too), and how
 * the master's answers settle the promise.
 */
import { expect } from 'chai';
import { mules } from '../../../../src/shared/mules/api';
import { MuleSender } from '../../../../src/shared/mules/hook';
import { MULE_HOOK } from '../../../../src/shared/mules/api';

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('resolved');
}

describe('shared/mules: mules.send and the runtime hook', () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[MULE_HOOK];
  });

  it('outside tsuwsgi: E_MULE_UNAVAILABLE, and no mules', async () => {
    expect(mules.count).to.equal(0);
    expect((await rejection(mules.send(1, 'x'))).code).to.equal('E_MULE_UNAVAILABLE');
  });

  it('checks the mule number, the JSON and the size before posting; posts the JSON text once', async () => {
    const posted: [number, number, string][] = [];
    const sender = new MuleSender(2, 20, (seq, mule, payload) => (posted.push([seq, mule, payload]), true)).install();
    expect(mules.count).to.equal(2);
    expect((await rejection(mules.send(3, 'x'))).code).to.equal('E_MULE_UNKNOWN');
    expect((await rejection(mules.send(1.5, 'x'))).code).to.equal('E_MULE_UNKNOWN');
    expect((await rejection(mules.send(1, undefined))).code).to.equal('E_MULE_MESSAGE');
    expect((await rejection(mules.send(1, 10n))).message).to.contain('JSON');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await rejection(mules.send(1, cyclic))).code).to.equal('E_MULE_MESSAGE');
    expect((await rejection(mules.send(1, 'x'.repeat(30)))).message).to.match(/32 bytes of JSON, above mule-msg-size \(20\)/);
    expect(posted).to.deep.equal([]);
    const sent = mules.send(2, { a: 1 });
    expect(posted).to.deep.equal([[1, 2, '{"a":1}']]);
    sender.answer({ seq: 1 });
    await sent;
  });

  it('the master\'s refusal rejects with its code; an unknown code is a plain Error', async () => {
    const sender = new MuleSender(1, 1000, () => true).install();
    const a = mules.send(1, 1);
    const b = mules.send(1, 2);
    sender.answer({ seq: 1, code: 'E_MULE_QUEUE_FULL', message: 'full' });
    sender.answer({ seq: 2, code: 'E_NOT_A_CODE' as never, message: 'odd' });
    expect(await rejection(a)).to.include({ code: 'E_MULE_QUEUE_FULL', message: 'full' });
    const err = await rejection(b);
    expect(err.code).to.equal(undefined);
    expect(err.message).to.equal('odd');
  });

  it('a channel already closed rejects at once', async () => {
    new MuleSender(1, 1000, () => false).install();
    expect((await rejection(mules.send(1, 1))).code).to.equal('E_MULE_UNAVAILABLE');
  });
});
