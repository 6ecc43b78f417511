/**
 * What the master makes of its workers' events, without processes (master-sim.ts): boot,
 * deaths and their throttling, need-app, spawn failures, recycling, and the events of a
 * process that is no longer the record's.
 */
import { expect } from 'chai';
import { ExitCode } from '../../../src/shared/exit-codes';
import { MasterSim } from './master-sim';

describe('master/worker-handlers: workers starting, dying and asking to be replaced', () => {
  describe('first boot', () => {
    it('starts one worker per id; "ready" once every one accepts, not before, and once only', () => {
      const sim = new MasterSim({ processes: 3 });
      expect(sim.boot()).to.deep.equal(['spawn 1 g0 active', 'spawn 2 g0 active', 'spawn 3 g0 active']);
      expect(sim.ready(sim.worker(1))).to.deep.equal([]);
      expect(sim.ready(sim.worker(3))).to.deep.equal([]);
      expect(sim.ready(sim.worker(2))).to.deep.equal(['ready']);
      expect(sim.events('accepting').map((l) => l.worker)).to.deep.equal([1, 3, 2]);
      sim.now += 10_000;
      sim.exit(sim.worker(2));
      expect(sim.ready(sim.worker(2)), 'a respawned worker accepting announces nothing').to.deep.equal([]);
    });

    it('a repeated "ready" is a bad message: logged, and nothing announced again', () => {
      const sim = MasterSim.running({ processes: 1 });
      expect(sim.ready(sim.worker(1))).to.deep.equal([]);
      expect(sim.events('worker-bad-message')[0].why).to.equal('"ready": already accepting');
    });

    it('need-app: an app that cannot load at the first start halts the master with exit 4, the load error on stderr', () => {
      const sim = new MasterSim({ processes: 2, needApp: true });
      sim.boot();
      expect(sim.appFailed(sim.worker(1))).to.deep.equal(['kill 1 g0 (halt)', 'kill 2 g0 (halt)']);
      expect(sim.stderr).to.deep.equal(['tsuwsgi: this app cannot load\n']);
      expect(sim.appFailed(sim.worker(2)), 'the second failure changes nothing').to.deep.equal([]);
      sim.exit(sim.worker(1), ExitCode.AppLoadError);
      expect(sim.exit(sim.worker(2), ExitCode.AppLoadError)).to.deep.equal(['discard 2 g0', 'exit']);
      expect(sim.wanted.exitCode).to.equal(ExitCode.AppLoadError);
      expect(sim.performed.filter((a) => a.startsWith('spawn') || a.startsWith('respawn')), 'no respawn loop').to.have.length(2);
    });

    it('need-app: an exit with the app-load code at the first start halts too, even without the message', () => {
      const sim = new MasterSim({ processes: 1 });
      sim.boot();
      expect(sim.exit(sim.worker(1), ExitCode.AppLoadError)).to.deep.equal(['discard 1 g0', 'exit']);
      expect(sim.wanted.exitCode).to.equal(ExitCode.AppLoadError);
    });

    it('without need-app, or once the master was ready, an app that cannot load is a death like any other', () => {
      const noNeed = new MasterSim({ processes: 1, needApp: false });
      noNeed.boot();
      expect(noNeed.appFailed(noNeed.worker(1))).to.deep.equal([]);
      expect(noNeed.exit(noNeed.worker(1), ExitCode.AppLoadError)).to.deep.equal([]);
      expect(noNeed.wakeAt, 'respawned after the throttling delay').to.equal(noNeed.now + 250);
      const later = MasterSim.running({ processes: 1 });
      later.now += 10_000;
      later.exit(later.worker(1));
      expect(later.appFailed(later.worker(1))).to.deep.equal([]);
      expect(later.wanted.phase).to.equal('running');
    });
  });

  describe('deaths', () => {
    it('a worker that dies after a long life is respawned at once, with the same id', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.now += 60_000;
      const dead = sim.worker(1);
      expect(sim.exit(dead, null, 'SIGKILL')).to.deep.equal(['respawn 1 g0']);
      expect(sim.worker(1).key).to.equal(dead.key);
      expect(sim.events('worker-exited')[0]).to.include({ level: 'warn', worker: 1, signal: 'SIGKILL' });
      expect(sim.table.harakiriKillsById.size, 'no harakiri set: not counted as one').to.equal(0);
    });

    it('one that keeps dying young is throttled: 250, 500, 1000 ms; a long life resets it', () => {
      const sim = MasterSim.running({ processes: 1 });
      const w = sim.worker(1);
      for (const delay of [250, 500, 1000]) {
        expect(sim.exit(w), `${delay} ms`).to.deep.equal([]);
        expect(sim.wakeAt).to.equal(sim.now + delay);
        expect(sim.advance(delay - 1)).to.deep.equal([]);
        expect(sim.advance(1)).to.deep.equal(['respawn 1 g0']);
      }
      expect(sim.events('respawn-throttled').map((l) => l.delayMs)).to.deep.equal([250, 500, 1000]);
      sim.now += 5000;
      expect(sim.exit(w)).to.deep.equal(['respawn 1 g0']);
    });

    it('with harakiri set, a SIGKILL while running is counted as a harakiri kill of that id', () => {
      const sim = MasterSim.running({ processes: 2, harakiri: 5 });
      sim.exit(sim.worker(2), null, 'SIGKILL');
      expect(sim.table.harakiriKillsById.get(2)).to.equal(1);
    });

    it('events of a process that is no longer the record\'s are dropped', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.now += 10_000;
      const w = sim.worker(1);
      const oldPid = w.pid as number;
      sim.exit(w);
      expect(sim.post({ kind: 'worker-exit', key: w.key, pid: oldPid, code: 1, signal: null })).to.deep.equal([]);
      expect(sim.post({ kind: 'worker-recycle', key: w.key, pid: oldPid, reason: 'max-requests', detail: {} })).to.deep.equal([]);
      expect(sim.events('worker-exited')).to.have.length(1);
    });
  });

  describe('spawn failures', () => {
    it('at first boot: retried with growing delays, one line each; "ready" once it starts and accepts', () => {
      const sim = new MasterSim({ processes: 2, needApp: true });
      sim.forkFails = true;
      expect(sim.boot()).to.deep.equal(['spawn 1 g0 active', 'spawn 2 g0 active']);
      sim.post({ kind: 'tick' });
      for (const delay of [250, 500]) {
        expect(sim.advance(delay)).to.deep.equal(['respawn 1 g0', 'respawn 2 g0']);
      }
      const lines = sim.events('spawn-failed').filter((l) => l.worker === 1);
      expect(lines.map((l) => l.delayMs)).to.deep.equal([250, 500, 1000]);
      expect(lines.map((l) => l.attempt)).to.deep.equal([1, 2, 3]);
      expect(sim.wanted.phase, 'need-app is about the app, not the fork').to.equal('running');
      sim.forkFails = false;
      expect(sim.advance(1000)).to.deep.equal(['respawn 1 g0', 'respawn 2 g0']);
      sim.ready(sim.worker(1));
      expect(sim.ready(sim.worker(2))).to.deep.equal(['ready']);
    });

    it('of a worker that died: the others are untouched', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.now += 10_000;
      sim.forkFails = true;
      expect(sim.exit(sim.worker(1))).to.deep.equal(['respawn 1 g0']);
      expect(sim.events('spawn-failed')[0]).to.include({ worker: 1, code: 'ENOENT', delayMs: 250, level: 'error' });
      expect(sim.worker(2).pid).to.be.a('number');
    });
  });

  describe('recycling', () => {
    it('a limit, on the last worker accepting: the successor starts at once, the worker serves until the successor accepts, then drains', () => {
      const sim = MasterSim.running({ processes: 1 });
      expect(sim.recycle(sim.worker(1), 'max-requests')).to.deep.equal(['spawn 1 g0 pending (recycle)']);
      expect(sim.events('recycle')[0]).to.include({ level: 'info', worker: 1, reason: 'max-requests' });
      expect(sim.recycle(sim.worker(1), 'max-requests'), 'asked twice: one successor').to.deep.equal([]);
      expect(sim.ready(sim.worker(1, 'pending'))).to.deep.equal(['promote 1 g0', 'retire 1 g0']);
      expect(sim.exit(sim.worker(1, 'retiring'), 0)).to.deep.equal(['discard 1 g0']);
      expect(sim.table.size).to.equal(1);
    });

    it('a limit while a sibling accepts: the worker retires at once and a new one takes its id', () => {
      const sim = MasterSim.running({ processes: 2 });
      expect(sim.recycle(sim.worker(1), 'max-requests')).to.deep.equal(['retire 1 g0', 'spawn 1 g0 active']);
      expect(sim.recycle(sim.worker(1, 'retiring'), 'max-requests'), 'asked again while draining').to.deep.equal([]);
      expect(sim.serving()).to.deep.equal(['1:0', '2:0']);
    });

    it('siblings at their limit do not count: the last one serves on until a successor accepts, then hands over', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.recycle(sim.worker(1), 'reload-on-rss');
      // Worker 1's successor is starting, worker 1 drains: worker 2 is the last one accepting.
      expect(sim.recycle(sim.worker(2), 'max-worker-lifetime')).to.deep.equal(['spawn 2 g0 pending (recycle)']);
      expect(sim.ready(sim.worker(1))).to.deep.equal(['retire 2 g0', 'promote 2 g0']);
      expect(sim.serving()).to.deep.equal(['1:0', '2:0']);
      expect(sim.wanted.recycles.size).to.equal(0);
    });

    it('two workers at their limit at once: one hands over, the other waits for an accepting successor', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.post({ kind: 'worker-recycle', key: sim.worker(1).key, pid: sim.worker(1).pid as number, reason: 'max-requests', detail: {} });
      expect(sim.table.inRole('retiring').map((r) => r.id)).to.deep.equal([1]);
      expect(sim.recycle(sim.worker(2))).to.deep.equal(['spawn 2 g0 pending (recycle)']);
      expect(sim.table.inRole('retiring')).to.have.length(1);
    });

    it('a fault soon after the start waits the throttling delay before its successor starts', () => {
      const sim = MasterSim.running({ processes: 1 });
      expect(sim.recycle(sim.worker(1), 'uncaught-exception')).to.deep.equal([]);
      expect(sim.events('recycle')[0]).to.include({ level: 'warn', delayMs: 250 });
      expect(sim.advance(250)).to.deep.equal(['spawn 1 g0 pending (recycle)']);
    });

    it('a successor that fails: the worker keeps serving, and may ask again', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.recycle(sim.worker(1));
      expect(sim.appFailed(sim.worker(1, 'pending'))).to.deep.equal(['discard 1 g0']);
      expect(sim.events('recycle-failed')[0]).to.include({ worker: 1, workerPid: sim.worker(1).pid });
      expect(sim.serving()).to.deep.equal(['1:0']);
      expect(sim.recycle(sim.worker(1))).to.deep.equal(['spawn 1 g0 pending (recycle)']);
      expect(sim.exit(sim.worker(1, 'pending'), 3)).to.deep.equal(['discard 1 g0']);
      expect(sim.events('recycle-failed')).to.have.length(2);
    });

    it('a reload takes over: a successor still starting is dropped, and no recycle starts during it', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.recycle(sim.worker(1));
      expect(sim.command('r')).to.deep.equal(['discard 1 g0', 'spawn 1 g1 pending']);
      expect(sim.recycle(sim.worker(1))).to.deep.equal([]);
      expect(sim.events('recycle')).to.have.length(1);
    });

    it('the worker dies while its throttled successor waits: the respawn replaces it, the recycle is dropped', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.recycle(sim.worker(1), 'uncaught-exception');
      sim.now += 100;
      expect(sim.exit(sim.worker(1))).to.deep.equal([]);
      expect(sim.wanted.recycles.size).to.equal(0);
      expect(sim.advance(10_000)).to.deep.equal(['respawn 1 g0']);
    });

    it('garbage on the channel gets the worker replaced, as a fault', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.now += 10_000;
      const w = sim.worker(1);
      expect(sim.post({ kind: 'worker-bad-message', key: w.key, pid: w.pid as number, why: 'bytes', recycle: true })).to.deep.equal(['spawn 1 g0 pending (recycle)']);
      expect(sim.events('recycle')[0]).to.include({ reason: 'bad-ipc-data', level: 'warn' });
    });
  });
});
