import { expect } from 'chai';
import { ROLE_RANK, WorkerTable } from '../../../src/master/worker-table';

describe('master/worker-table: the records, and what role and generation mean', () => {
  it('lists by id, the serving worker before its successor and its predecessor', () => {
    const t = new WorkerTable();
    const retiring = t.add({ id: 1, generation: 0, role: 'active' });
    retiring.role = 'retiring';
    t.add({ id: 2, generation: 0, role: 'active' });
    t.add({ id: 1, generation: 1, role: 'pending' });
    t.add({ id: 1, generation: 1, role: 'active' });
    expect(t.all().map((r) => `${r.id}:${r.role}:g${r.generation}`)).to.deep.equal(['1:active:g1', '1:pending:g1', '1:retiring:g0', '2:active:g0']);
    expect(ROLE_RANK.active).to.be.below(ROLE_RANK.pending);
    expect(ROLE_RANK.pending).to.be.below(ROLE_RANK.retiring);
  });

  it('keys are never reused; match() refuses an event of an earlier process', () => {
    const t = new WorkerTable();
    const a = t.add({ id: 1, generation: 0, role: 'active' });
    t.remove(a.key);
    const b = t.add({ id: 1, generation: 0, role: 'active' });
    expect(b.key).to.not.equal(a.key);
    b.pid = 10;
    expect(t.match(b.key, 10)).to.equal(b);
    expect(t.match(b.key, 9)).to.equal(undefined);
    expect(t.activePids()).to.deep.equal([10]);
  });
});
