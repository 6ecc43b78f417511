import { expect } from 'chai';
import { closest, didYouMean, editDistance } from '../../../src/config/suggest';

describe('config/suggest', () => {
  it('edit distance', () => {
    expect(editDistance('', '')).to.equal(0);
    expect(editDistance('abc', '')).to.equal(3);
    expect(editDistance('proceses', 'processes')).to.equal(1);
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('socket', 'socket')).to.equal(0);
  });
  it('suggests a close name', () => {
    const names = ['processes', 'threads', 'socket', 'http-socket'];
    expect(closest('proceses', names)).to.equal('processes');
    expect(closest('thread', names)).to.equal('threads');
    expect(closest('Socket', names)).to.equal('socket');
    expect(closest('http-sockett', names)).to.equal('http-socket');
  });
  it('suggests nothing when no name is close', () => {
    expect(closest('banana', ['processes', 'threads'])).to.equal(undefined);
    expect(didYouMean('zzz', ['processes'])).to.equal('');
  });
  it('formats the hint, with an optional prefix', () => {
    expect(didYouMean('vacum', ['vacuum'])).to.equal(' (did you mean "vacuum"?)');
    expect(didYouMean('vacum', ['vacuum'], '--')).to.equal(' (did you mean "--vacuum"?)');
  });
});
