import { expect } from 'chai';
import { CheaperPolicy } from '../../../../src/master/cheaper/decide';
import { load, settings } from './fixtures';

const MB = 1024 * 1024;

describe('master/cheaper/decide: memory limits, then the algorithm', () => {
  it('manual never decides', () => {
    const p = new CheaperPolicy(settings({ algo: 'manual', overload: 1 }), 0);
    for (let n = 0; n < 5; n++) expect(p.decide(load('BB', { backlog: 99 }), { rssBytes: 0 }).delta).to.equal(0);
  });

  it('picks the chosen algorithm', () => {
    expect(new CheaperPolicy(settings({ algo: 'backlog', overload: 2 }), 0).decide(load('B', { backlog: 3 }), { rssBytes: 0 }).delta).to.equal(1);
    expect(new CheaperPolicy(settings({ algo: 'spare', overload: 1 }), 0).decide(load('B'), { rssBytes: 0 }).delta).to.equal(1);
  });

  it('at or past cheaper-rss-limit-hard: one removed (not the last), the algorithm not asked', () => {
    const p = new CheaperPolicy(settings({ algo: 'spare', overload: 1, rssSoft: 100 * MB, rssHard: 200 * MB, min: 2 }), 0);
    const d = p.decide(load('BB'), { rssBytes: 200 * MB });
    expect(d.delta).to.equal(-1);
    expect(d.reason).to.match(/200 MB.*cheaper-rss-limit-hard/);
    expect(p.decide(load('B'), { rssBytes: 300 * MB }).delta, 'the last one stays').to.equal(0);
  });

  it('at or past cheaper-rss-limit-soft: the algorithm may remove, never add', () => {
    const p = new CheaperPolicy(settings({ algo: 'backlog', overload: 2, rssSoft: 100 * MB }), 0);
    expect(p.decide(load('BB', { backlog: 9 }), { rssBytes: 100 * MB }).delta).to.equal(0);
    expect(p.decide(load('BB', { backlog: 0 }), { rssBytes: 100 * MB }).delta).to.equal(-1);
    expect(p.decide(load('BB', { backlog: 9 }), { rssBytes: 99 * MB }).delta).to.equal(1);
  });
});
