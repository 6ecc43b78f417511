import { expect } from 'chai';
import { checkMuleMessage } from '../../../../src/master/mules/mule-messages';
import { checkWorkerMessage } from '../../../../src/master/worker-messages';

describe('master/mules: a mule\'s messages and a worker\'s mules.send are checked', () => {
  it('accepts the shapes the runtime sends', () => {
    for (const m of [{ act: 'ready' }, { act: 'done' }, { act: 'load-failed', message: 'x' }, { act: 'mule-msg', seq: 1, mule: 2, payload: '{}' }]) {
      expect(checkMuleMessage(m).ok, JSON.stringify(m)).to.equal(true);
    }
    expect(checkWorkerMessage({ act: 'mule-msg', thread: 1, seq: 3, mule: 1, payload: '1' }, 2).ok).to.equal(true);
  });

  it('refuses anything else, saying why', () => {
    const refused: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ act: 'spawn' }, /spawn: unknown act/],
      [{ act: 'mule-msg', seq: -1, mule: 1, payload: '' }, /seq/],
      [{ act: 'mule-msg', seq: 1, mule: 0, payload: '' }, /mule must be/],
      [{ act: 'mule-msg', seq: 1, mule: 1, payload: {} }, /payload/],
      [{ act: 'mule-msg', seq: 1, mule: 1, payload: 'x'.repeat(16 * 1024 * 1024 + 1) }, /payload/],
      [{ act: 'load-failed', message: 5 }, /message/],
    ];
    for (const [m, why] of refused) {
      const c = checkMuleMessage(m);
      expect(c.ok).to.equal(false);
      if (!c.ok) expect(c.why).to.match(why);
    }
    const w = checkWorkerMessage({ act: 'mule-msg', thread: 2, seq: 1, mule: 1, payload: '1' }, 2);
    expect(w.ok).to.equal(false);
    if (!w.ok) expect(w.why).to.match(/thread must be 0..1/);
  });
});
