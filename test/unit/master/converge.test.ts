import { expect } from 'chai';
import { applyAction, converge } from '../../../src/master/converge';
import { DaemonTable } from '../../../src/master/daemons/daemon-table';
import { initialWanted, type Wanted } from '../../../src/master/wanted';
import { WorkerTable, type NewRecord, type WorkerRecord } from '../../../src/master/worker-table';
import { describeAction, testConfig } from './master-sim';

const NOW = 50_000;
const MERCY_MS = 60_000;

function state(processes = 2): { w: Wanted; table: WorkerTable } {
  return { w: initialWanted(testConfig({ processes, workerReloadMercy: MERCY_MS / 1000 })), table: new WorkerTable() };
}

function add(table: WorkerTable, r: NewRecord, over: Partial<WorkerRecord> = {}): WorkerRecord {
  const rec = table.add(r);
  Object.assign(rec, { pid: 700 + rec.key, ready: true, spawnedAt: NOW - 10_000 }, over);
  return rec;
}

describe('master/converge: actions into state, passes until settled', () => {
  it('a spawn adds a record started now, with the threads of the current configuration', () => {
    const { w, table } = state(1);
    const r = applyAction(w, table, { do: 'spawn', id: 1, role: 'active', generation: 0 }, NOW);
    expect(r).to.deep.include({ id: 1, role: 'active', spawnedAt: NOW, threads: 1, ready: false, pid: undefined });
    expect(table.size).to.equal(1);
  });

  it('retiring or dropping a worker forgets its respawn and its recycle', () => {
    const { w, table } = state(1);
    const r = add(table, { id: 1, generation: 0, role: 'active' });
    w.respawns.set(r.key, NOW);
    w.recycles.set(r.key, { pid: 1, dueAt: NOW });
    applyAction(w, table, { do: 'retire', key: r.key }, NOW);
    expect(r).to.deep.include({ role: 'retiring', stopSentAt: NOW });
    expect(w.respawns.size + w.recycles.size).to.equal(0);
  });

  it('converge runs passes until none acts: a chain step follows the promotion in one call', () => {
    const { w, table } = state(2);
    w.everReady = true;
    add(table, { id: 1, generation: 0, role: 'active' });
    add(table, { id: 2, generation: 0, role: 'active' });
    add(table, { id: 1, generation: 1, role: 'pending' });
    w.generation = 1;
    w.reload = { kind: 'chain', generation: 1, startedAt: NOW, previousConfig: w.config, previousWorkers: w.workers };
    const done: string[] = [];
    const wake = converge(w, table, NOW, (a, r) => done.push(describeAction(a, r)), new DaemonTable(), (a) => done.push(a.do));
    expect(done).to.deep.equal(['promote 1 g1', 'retire 1 g0', 'spawn 2 g1 pending']);
    expect(wake).to.equal(NOW + MERCY_MS);
  });

  it('stops at exit: a stopping master with no worker left exits, and nothing runs after it', () => {
    const { w, table } = state(1);
    w.phase = 'stopping';
    const done: string[] = [];
    expect(converge(w, table, NOW, (a, r) => done.push(describeAction(a, r)), new DaemonTable(), (a) => done.push(a.do))).to.equal(undefined);
    expect(done).to.deep.equal(['exit']);
  });
});
