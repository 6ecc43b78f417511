/**
 * The reconcile step as a pure function: a wanted state, a worker table and a time in, the
 * actions of one pass (and when to wake up) out. Scenarios over many events, driven through
 * the handlers, are in commands.test.ts and worker-handlers.test.ts.
 */
import { expect } from 'chai';
import { reconcile, type Action, type Step } from '../../../src/master/reconcile';
import { DaemonTable } from '../../../src/master/daemons/daemon-table';
import { isDaemonAction } from '../../../src/master/converge';
import { initialWanted, type Wanted } from '../../../src/master/wanted';
import { WorkerTable, type NewRecord, type WorkerRecord } from '../../../src/master/worker-table';
import { describeAction, testConfig } from './master-sim';

const NOW = 50_000;
const MERCY_MS = 60_000;

function state(processes = 2): { w: Wanted; table: WorkerTable } {
  return { w: initialWanted(testConfig({ processes, workerReloadMercy: MERCY_MS / 1000 })), table: new WorkerTable() };
}

let pids = 500;
/** A worker record with a process, accepting unless told otherwise. */
function add(table: WorkerTable, r: NewRecord, over: Partial<WorkerRecord> = {}): WorkerRecord {
  const rec = table.add(r);
  Object.assign(rec, { pid: ++pids, ready: true, spawnedAt: NOW - 10_000 }, over);
  return rec;
}

/** One pass, each action as `what id gN`. */
function pass(w: Wanted, table: WorkerTable, now = NOW): { actions: string[]; wakeAt: number | undefined } {
  const d = reconcile(w, table, now, new DaemonTable());
  return { actions: d.actions.map((a) => describeStep(table, a)), wakeAt: d.wakeAt };
}

function describeStep(table: WorkerTable, a: Step): string {
  return isDaemonAction(a) ? a.do : describeAction(a, keyed(table, a));
}

function keyed(table: WorkerTable, a: Action): WorkerRecord | undefined {
  return 'key' in a ? table.get(a.key) : undefined;
}

describe('master/reconcile: one pass, as a pure function', () => {
  describe('running', () => {
    it('first boot: one active worker per id, in the current generation', () => {
      const { w, table } = state(3);
      expect(pass(w, table).actions).to.deep.equal(['spawn 1 g0 active', 'spawn 2 g0 active', 'spawn 3 g0 active']);
    });

    it('does not decide anything twice: the same state gives the same actions, and the table is untouched', () => {
      const { w, table } = state(2);
      add(table, { id: 1, generation: 0, role: 'active' });
      const before = JSON.stringify(table.all());
      expect(pass(w, table).actions).to.deep.equal(pass(w, table).actions);
      expect(JSON.stringify(table.all())).to.equal(before);
    });

    it('"ready" only once every id has an accepting active worker, and only once', () => {
      const { w, table } = state(2);
      const one = add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' }, { ready: false });
      expect(pass(w, table).actions).to.deep.equal([]);
      table.all()[1].ready = true;
      expect(pass(w, table).actions).to.deep.equal(['ready']);
      w.everReady = true;
      expect(pass(w, table).actions).to.deep.equal([]);
      // A worker waiting for its respawn: not ready.
      w.everReady = false;
      one.pid = undefined;
      one.ready = false;
      expect(pass(w, table).actions).to.deep.equal([]);
    });

    it('a settled master does nothing and sleeps', () => {
      const { w, table } = state(2);
      add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' });
      w.everReady = true;
      expect(pass(w, table)).to.deep.equal({ actions: [], wakeAt: undefined });
    });

    it('a worker without a process starts again when its respawn is due, not before; one awaiting its spawn-failed event is left alone', () => {
      const { w, table } = state(2);
      w.everReady = true;
      const dead = add(table, { id: 1, generation: 0, role: 'active' }, { pid: undefined, ready: false });
      add(table, { id: 2, generation: 0, role: 'active' }, { pid: undefined, ready: false });
      w.respawns.set(dead.key, NOW + 250);
      expect(pass(w, table)).to.deep.equal({ actions: [], wakeAt: NOW + 250 });
      expect(pass(w, table, NOW + 250).actions).to.deep.equal(['respawn 1 g0']);
    });

    it('ids above the wanted count retire (the highest first is the only one); one without a process is forgotten', () => {
      const { w, table } = state(1);
      w.everReady = true;
      add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' });
      add(table, { id: 3, generation: 0, role: 'active' }, { pid: undefined });
      expect(pass(w, table).actions).to.deep.equal(['retire 2 g0', 'discard 3 g0']);
    });

    it('a retiring worker is killed once worker-reload-mercy has run out; until then the master wakes up for it', () => {
      const { w, table } = state(1);
      w.everReady = true;
      add(table, { id: 1, generation: 0, role: 'active' });
      const old = add(table, { id: 1, generation: 0, role: 'active' }, { role: 'retiring', stopSentAt: NOW - 1000 });
      expect(pass(w, table)).to.deep.equal({ actions: [], wakeAt: NOW - 1000 + MERCY_MS });
      expect(pass(w, table, NOW - 1000 + MERCY_MS).actions).to.deep.equal(['kill 1 g0 (mercy)']);
      old.killed = true;
      expect(pass(w, table, NOW + MERCY_MS).actions).to.deep.equal([]);
      old.pid = undefined;
      expect(pass(w, table).actions).to.deep.equal(['discard 1 g0']);
    });

    it('a successor nothing wants any more is dropped: killed if it never accepted, drained if it did', () => {
      const { w, table } = state(2);
      w.everReady = true;
      add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' });
      add(table, { id: 1, generation: 1, role: 'pending' }, { ready: false });
      add(table, { id: 2, generation: 1, role: 'pending' });
      expect(pass(w, table).actions).to.deep.equal(['discard 1 g1', 'retire 2 g1']);
    });
  });

  describe('graceful reload', () => {
    function reloading(processes = 2): { w: Wanted; table: WorkerTable } {
      const s = state(processes);
      s.w.everReady = true;
      for (let id = 1; id <= processes; id++) add(s.table, { id, generation: 0, role: 'active' });
      s.w.generation = 1;
      s.w.reload = { kind: 'graceful', generation: 1, startedAt: NOW, previousConfig: s.w.config, previousWorkers: s.w.workers };
      return s;
    }

    it('starts a new worker for every id at once, keeping the old ones', () => {
      const { w, table } = reloading(3);
      expect(pass(w, table).actions).to.deep.equal(['spawn 1 g1 pending', 'spawn 2 g1 pending', 'spawn 3 g1 pending']);
    });

    it('switches only when every new worker accepts: all promoted, then the old ones retire', () => {
      const { w, table } = reloading(2);
      add(table, { id: 1, generation: 1, role: 'pending' });
      const late = add(table, { id: 2, generation: 1, role: 'pending' }, { ready: false });
      expect(pass(w, table).actions).to.deep.equal([]);
      late.ready = true;
      expect(pass(w, table).actions).to.deep.equal(['promote 1 g1', 'promote 2 g1', 'retire 1 g0', 'retire 2 g0', 'switched']);
    });

    it('is finished only once no old, pending or retiring worker is left', () => {
      const { w, table } = reloading(1);
      const old = add(table, { id: 1, generation: 0, role: 'active' }, { role: 'retiring' });
      table.remove(table.all().find((r) => r.generation === 0 && r.role === 'active')!.key);
      add(table, { id: 1, generation: 1, role: 'active' });
      expect(pass(w, table).actions).to.deep.equal([]);
      table.remove(old.key);
      expect(pass(w, table).actions).to.deep.equal(['finished graceful']);
    });
  });

  describe('chain reload', () => {
    it('one successor at a time, lowest id first; promoted at once, its predecessor retiring', () => {
      const { w, table } = state(3);
      w.everReady = true;
      for (let id = 1; id <= 3; id++) add(table, { id, generation: 0, role: 'active' });
      w.generation = 1;
      w.reload = { kind: 'chain', generation: 1, startedAt: NOW, previousConfig: w.config, previousWorkers: w.workers };
      expect(pass(w, table).actions).to.deep.equal(['spawn 1 g1 pending']);
      const next = add(table, { id: 1, generation: 1, role: 'pending' }, { ready: false });
      expect(pass(w, table).actions).to.deep.equal([]);
      next.ready = true;
      expect(pass(w, table).actions).to.deep.equal(['promote 1 g1', 'retire 1 g0']);
    });
  });

  describe('recycle', () => {
    it('starts the successor when due (a throttled fault waits), never two for one worker', () => {
      const { w, table } = state(1);
      w.everReady = true;
      const old = add(table, { id: 1, generation: 0, role: 'active' });
      w.recycles.set(old.key, { pid: old.pid as number, dueAt: NOW + 500 });
      expect(pass(w, table)).to.deep.equal({ actions: [], wakeAt: NOW + 500 });
      expect(pass(w, table, NOW + 500).actions).to.deep.equal(['spawn 1 g0 pending (recycle)']);
      add(table, { id: 1, generation: 0, role: 'pending', replaces: old.key }, { ready: false });
      expect(pass(w, table, NOW + 500).actions).to.deep.equal([]);
    });

    it('a successor that accepts is promoted and the worker it replaces retires', () => {
      const { w, table } = state(1);
      w.everReady = true;
      const old = add(table, { id: 1, generation: 0, role: 'active' });
      w.recycles.set(old.key, { pid: old.pid as number, dueAt: NOW });
      add(table, { id: 1, generation: 0, role: 'pending', replaces: old.key });
      expect(pass(w, table).actions).to.deep.equal(['promote 1 g0', 'retire 1 g0']);
    });

    it('hands over at once when another worker accepts: retires it, and its successor (new, or promoted) takes the id', () => {
      const { w, table } = state(2);
      w.everReady = true;
      const old = add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' });
      w.recycles.set(old.key, { pid: old.pid as number, dueAt: NOW });
      expect(pass(w, table).actions).to.deep.equal(['retire 1 g0', 'spawn 1 g0 active']);
      add(table, { id: 1, generation: 0, role: 'pending', replaces: old.key }, { ready: false });
      expect(pass(w, table).actions).to.deep.equal(['retire 1 g0', 'promote 1 g0']);
    });

    it('serves on while no other worker accepts: siblings starting, draining or waiting for their own successor do not count', () => {
      const { w, table } = state(3);
      w.everReady = true;
      const old = add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' }, { ready: false });
      const third = add(table, { id: 3, generation: 0, role: 'active' });
      add(table, { id: 3, generation: 0, role: 'active' }, { role: 'retiring' });
      w.recycles.set(old.key, { pid: old.pid as number, dueAt: NOW });
      w.recycles.set(third.key, { pid: third.pid as number, dueAt: NOW + 10_000 });
      expect(pass(w, table).actions).to.deep.equal(['spawn 1 g0 pending (recycle)']);
    });

    it('waits while a reload runs (the reload replaces the worker anyway)', () => {
      const { w, table } = state(1);
      w.everReady = true;
      const old = add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 1, generation: 1, role: 'pending' }, { ready: false });
      w.recycles.set(old.key, { pid: old.pid as number, dueAt: NOW });
      w.generation = 1;
      w.reload = { kind: 'graceful', generation: 1, startedAt: NOW, previousConfig: w.config, previousWorkers: w.workers };
      expect(pass(w, table).actions).to.deep.equal([]);
    });
  });

  describe('stopping and halting', () => {
    it('stopping: every worker with a process is told to drain, one without is forgotten; exit once none is left', () => {
      const { w, table } = state(2);
      add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' }, { pid: undefined });
      add(table, { id: 1, generation: 1, role: 'pending' }, { ready: false });
      w.phase = 'stopping';
      expect(pass(w, table).actions).to.deep.equal(['retire 1 g0', 'retire 1 g1', 'discard 2 g0']);
      const empty = state(2);
      empty.w.phase = 'stopping';
      expect(pass(empty.w, empty.table).actions).to.deep.equal(['exit']);
    });

    it('stopping: a worker already retiring keeps its own mercy deadline', () => {
      const { w, table } = state(1);
      add(table, { id: 1, generation: 0, role: 'active' }, { role: 'retiring', stopSentAt: NOW - MERCY_MS });
      w.phase = 'stopping';
      expect(pass(w, table).actions).to.deep.equal(['kill 1 g0 (mercy)']);
    });

    it('halting: every process killed once; exit once none is left', () => {
      const { w, table } = state(2);
      add(table, { id: 1, generation: 0, role: 'active' });
      add(table, { id: 2, generation: 0, role: 'active' }, { killed: true });
      add(table, { id: 3, generation: 0, role: 'active' }, { pid: undefined });
      w.phase = 'halting';
      expect(pass(w, table).actions).to.deep.equal(['kill 1 g0 (halt)', 'discard 3 g0']);
    });
  });
});
