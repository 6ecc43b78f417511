import { expect } from 'chai';
import { effectiveBacklog, somaxconn } from '../../../src/master/backlog';
import { nextQuickDeaths, respawnDelayMs } from '../../../src/shared/respawn-policy';

describe('listen backlog', () => {
  it('keeps a backlog the kernel grants', () => {
    expect(effectiveBacklog(1024, 4096)).to.deep.equal({ backlog: 1024, clamped: false });
    expect(effectiveBacklog(4096, 4096)).to.deep.equal({ backlog: 4096, clamped: false });
  });
  it('clamps one above somaxconn and says so', () => {
    expect(effectiveBacklog(4097, 4096)).to.deep.equal({ backlog: 4096, clamped: true });
  });
  it('reads somaxconn from /proc on Linux', () => {
    expect(somaxconn()).to.be.a('number').and.to.be.greaterThan(0);
  });
});

describe('respawn throttling', () => {
  it('grows the delay for quick deaths and resets after a long life', () => {
    let deaths = 0;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      deaths = nextQuickDeaths(deaths, 100);
      delays.push(respawnDelayMs(deaths));
    }
    expect(delays).to.deep.equal([250, 500, 1000, 2000, 4000, 8000, 10000]);
    expect(nextQuickDeaths(deaths, 60_000)).to.equal(0);
    expect(respawnDelayMs(0)).to.equal(0);
  });
});
