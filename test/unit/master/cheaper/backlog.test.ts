import { expect } from 'chai';
import { backlog } from '../../../../src/master/cheaper/backlog';
import { load, settings } from './fixtures';

describe('master/cheaper/backlog: follow the listen queue', () => {
  const c = settings({ algo: 'backlog', overload: 5, step: 2, min: 1, max: 4 });

  it('more than cheaper-overload waiting: adds cheaper-step, up to processes', () => {
    const d = backlog(load('BB', { backlog: 6 }), c);
    expect(d.delta).to.equal(2);
    expect(d.reason).to.match(/6 connection\(s\) in the listen queue \(over 5\)/);
    expect(backlog(load('BBB', { backlog: 6 }), c).delta).to.equal(1);
    expect(backlog(load('BBBB', { backlog: 60 }), c).delta).to.equal(0);
  });

  it('exactly cheaper-overload waiting: nothing changes', () => {
    expect(backlog(load('BB', { backlog: 5 }), c).delta).to.equal(0);
  });

  it('fewer waiting: one removed per call, down to cheaper, busy or not (uWSGI\'s meaning)', () => {
    expect(backlog(load('BBB', { backlog: 4 }), c).delta).to.equal(-1);
    expect(backlog(load('i', { backlog: 0 }), c).delta).to.equal(0);
  });

  it('past the soft memory limit a long queue adds nothing', () => {
    expect(backlog(load('BB', { backlog: 50, canSpawn: false }), c).delta).to.equal(0);
  });
});
