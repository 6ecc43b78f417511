/** When an app thread closes its upgraded connections at a graceful stop, against the master's mercy kill. */
import { expect } from 'chai';
import { upgradeMercyMs } from '../../../src/worker/serve-thread';

describe('worker/serve-thread: upgradeMercyMs', () => {
  it('is a little before worker-reload-mercy: 1 s before it, a quarter of it when it is short', () => {
    expect(upgradeMercyMs(60)).to.equal(59_000);
    expect(upgradeMercyMs(4)).to.equal(3000);
    expect(upgradeMercyMs(2)).to.equal(1500);
    expect(upgradeMercyMs(0)).to.equal(0);
  });
});
