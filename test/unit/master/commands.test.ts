/**
 * Reloads, scaling and stops as the master runs them, without processes: commands and worker
 * events go through the real handlers and reconcile step (master-sim.ts), and each test reads
 * what the master did, action by action.
 */
import { expect } from 'chai';
import { ExitCode } from '../../../src/shared/exit-codes';
import { MasterSim, testConfig } from './master-sim';

describe('master/commands: reloads, scaling and stops, step by step', () => {
  describe('graceful reload (SIGHUP, fifo r/w, touch-reload)', () => {
    it('the new generation starts alongside the old one, and the old one retires only once every new worker accepts', () => {
      const sim = MasterSim.running({ processes: 2 });
      expect(sim.signal('SIGHUP')).to.deep.equal(['spawn 1 g1 pending', 'spawn 2 g1 pending']);
      expect(sim.events('reload-started')[0]).to.include({ kind: 'graceful', source: 'SIGHUP' });
      expect(sim.serving()).to.deep.equal(['1:0', '2:0']);
      expect(sim.ready(sim.worker(1, 'pending')), 'one new worker accepting is not enough').to.deep.equal([]);
      expect(sim.ready(sim.worker(2, 'pending'))).to.deep.equal(['promote 1 g1', 'promote 2 g1', 'retire 1 g0', 'retire 2 g0', 'switched']);
      expect(sim.serving()).to.deep.equal(['1:1', '2:1']);
      expect(sim.exit(sim.worker(1, 'retiring'), 0)).to.deep.equal(['discard 1 g0']);
      expect(sim.exit(sim.worker(2, 'retiring'), 0)).to.deep.equal(['discard 2 g0', 'finished graceful']);
      expect(sim.wanted.reload).to.equal(undefined);
      expect(sim.events('worker-exited').map((l) => l.level)).to.deep.equal(['info', 'info']);
    });

    it('re-reads the configuration: a new worker count applies to the new generation', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.reread = testConfig({ processes: 3 });
      expect(sim.command('r')).to.deep.equal(['spawn 3 g1 active', 'spawn 1 g1 pending', 'spawn 2 g1 pending']);
      sim.allReady();
      expect(sim.retiredExit().at(-1)).to.equal('finished graceful');
      expect(sim.serving()).to.deep.equal(['1:1', '2:1', '3:1']);
    });

    it('fewer workers in the re-read configuration: the surplus old ones retire at once', () => {
      const sim = MasterSim.running({ processes: 3 });
      sim.reread = testConfig({ processes: 1 });
      expect(sim.command('r')).to.deep.equal(['retire 2 g0', 'retire 3 g0', 'spawn 1 g1 pending']);
      sim.allReady();
      sim.retiredExit();
      expect(sim.serving()).to.deep.equal(['1:1']);
    });

    it('w keeps the configuration; a configuration that cannot be read reloads nothing', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.reread = new Error('ini: bad line 3');
      expect(sim.command('r')).to.deep.equal([]);
      expect(sim.events('reload-failed')[0].err).to.equal('ini: bad line 3');
      expect(sim.command('w')).to.deep.equal(['spawn 1 g1 pending']);
    });

    it('a second reload while one runs is ignored', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.command('r');
      expect(sim.command('c')).to.deep.equal([]);
      expect(sim.events('reload-ignored')).to.have.length(1);
    });

    it('a new worker that fails aborts it: the ones not accepting are killed, the old generation keeps serving, the configuration is put back', () => {
      const sim = MasterSim.running({ processes: 2 });
      const before = sim.wanted.config;
      sim.reread = testConfig({ processes: 2, threads: 4 });
      sim.command('r');
      sim.ready(sim.worker(1, 'pending'));
      expect(sim.appFailed(sim.worker(2, 'pending'))).to.deep.equal(['retire 1 g1', 'discard 2 g1']);
      expect(sim.events('reload-aborted')[0].reason).to.equal('worker 2 could not load the app: this app cannot load');
      expect(sim.serving()).to.deep.equal(['1:0', '2:0']);
      expect(sim.wanted.config).to.equal(before);
      expect(sim.wanted.reload).to.equal(undefined);
      // The killed one's exit is not the master's business any more; the next reload works.
      expect(sim.command('r')).to.deep.equal(['spawn 1 g2 pending', 'spawn 2 g2 pending']);
    });

    it('a new worker that exits before accepting, or whose fork fails, aborts it too', () => {
      const sim = MasterSim.running({ processes: 1 });
      sim.command('r');
      sim.exit(sim.worker(1, 'pending'), 3);
      expect(sim.events('reload-aborted')[0].reason).to.match(/^worker 1 \(pid \d+\) exited before accepting \(code 3/);
      sim.forkFails = true;
      expect(sim.command('r')).to.deep.equal(['spawn 1 g2 pending', 'discard 1 g2']);
      expect(sim.events('reload-aborted')[1].reason).to.equal('worker 1 could not be started: chdir /srv/app does not exist (ENOENT)');
      expect(sim.serving()).to.deep.equal(['1:0']);
    });

    it('an old worker that dies during the reload is respawned, and still replaced at the switch', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.command('r');
      sim.now += 10_000;
      expect(sim.exit(sim.worker(1, 'active'), null, 'SIGKILL')).to.deep.equal(['respawn 1 g0']);
      sim.allReady();
      expect(sim.table.inRole('retiring').map((r) => r.id)).to.deep.equal([1, 2]);
      sim.retiredExit();
      expect(sim.serving()).to.deep.equal(['1:1', '2:1']);
    });
  });

  describe('chain reload (fifo c, touch-chain-reload)', () => {
    it('replaces one worker at a time: each new one accepts before its predecessor retires and before the next starts', () => {
      const sim = MasterSim.running({ processes: 3 });
      expect(sim.command('c')).to.deep.equal(['spawn 1 g1 pending']);
      expect(sim.ready(sim.worker(1, 'pending'))).to.deep.equal(['promote 1 g1', 'retire 1 g0', 'spawn 2 g1 pending']);
      expect(sim.serving()).to.deep.equal(['1:1', '2:0', '3:0']);
      expect(sim.exit(sim.worker(1, 'retiring'), 0)).to.deep.equal(['discard 1 g0']);
      expect(sim.ready(sim.worker(2, 'pending'))).to.deep.equal(['promote 2 g1', 'retire 2 g0', 'spawn 3 g1 pending']);
      expect(sim.ready(sim.worker(3, 'pending'))).to.deep.equal(['promote 3 g1', 'retire 3 g0']);
      expect(sim.performed).to.not.include('finished chain');
      expect(sim.retiredExit().at(-1)).to.equal('finished chain');
      expect(sim.serving()).to.deep.equal(['1:1', '2:1', '3:1']);
      expect(sim.performed, 'a chain has no switch').to.not.include('switched');
    });

    it('aborted half-way: the replaced workers stay, the others keep serving, nothing more is started', () => {
      const sim = MasterSim.running({ processes: 3 });
      sim.command('c');
      sim.ready(sim.worker(1, 'pending'));
      expect(sim.appFailed(sim.worker(2, 'pending'))).to.deep.equal(['discard 2 g1']);
      expect(sim.events('reload-aborted')[0].kind).to.equal('chain');
      sim.retiredExit();
      expect(sim.serving()).to.deep.equal(['1:1', '2:0', '3:0']);
      expect(sim.performed.slice(-1)).to.deep.equal(['discard 1 g0']);
    });

    it('a count raised in the ini starts the missing worker at once; a lowered one retires the surplus at once', () => {
      const up = MasterSim.running({ processes: 2 });
      up.reread = testConfig({ processes: 3 });
      expect(up.command('c')).to.deep.equal(['spawn 3 g1 active', 'spawn 1 g1 pending']);
      const down = MasterSim.running({ processes: 3 });
      down.reread = testConfig({ processes: 2 });
      expect(down.command('c')).to.deep.equal(['retire 3 g0', 'spawn 1 g1 pending']);
    });
  });

  describe('scaling (SIGTTIN/SIGTTOU, fifo +/-)', () => {
    it('one worker more or less, the highest id going first, never below one', () => {
      const sim = MasterSim.running({ processes: 1 });
      expect(sim.signal('SIGTTIN')).to.deep.equal(['spawn 2 g0 active']);
      expect(sim.command('+')).to.deep.equal(['spawn 3 g0 active']);
      sim.allReady();
      expect(sim.signal('SIGTTOU')).to.deep.equal(['retire 3 g0']);
      expect(sim.command('-')).to.deep.equal(['retire 2 g0']);
      expect(sim.command('-')).to.deep.equal([]);
      expect(sim.events('scale').map((l) => l.processes)).to.deep.equal([2, 3, 2, 1, 1]);
      expect(sim.events('scale').at(-1)?.msg).to.match(/already at one worker/);
    });

    it('TTIN during a graceful reload: the added worker is of the new generation, and the switch waits for it', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.command('r');
      expect(sim.signal('SIGTTIN')).to.deep.equal(['spawn 3 g1 active']);
      sim.ready(sim.worker(1, 'pending'));
      expect(sim.ready(sim.worker(2, 'pending'))).to.deep.equal([]);
      expect(sim.ready(sim.worker(3, 'active'))).to.deep.equal(['promote 1 g1', 'promote 2 g1', 'retire 1 g0', 'retire 2 g0', 'switched']);
      expect(sim.retiredExit().at(-1)).to.equal('finished graceful');
      expect(sim.serving()).to.deep.equal(['1:1', '2:1', '3:1']);
    });

    it('TTOU during a graceful reload: the highest id leaves, old and new', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.command('r');
      sim.ready(sim.worker(2, 'pending'));
      expect(sim.signal('SIGTTOU')).to.deep.equal(['retire 2 g0', 'retire 2 g1']);
      expect(sim.ready(sim.worker(1, 'pending'))).to.deep.equal(['promote 1 g1', 'retire 1 g0', 'switched']);
      expect(sim.retiredExit().at(-1)).to.equal('finished graceful');
      expect(sim.serving()).to.deep.equal(['1:1']);
    });

    it('TTIN and TTOU during a chain reload: the chain goes on over the old workers that are still wanted', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.command('c');
      expect(sim.signal('SIGTTIN')).to.deep.equal(['spawn 3 g1 active']);
      expect(sim.signal('SIGTTOU')).to.deep.equal(['retire 3 g1']);
      expect(sim.signal('SIGTTOU')).to.deep.equal(['retire 2 g0']);
      expect(sim.ready(sim.worker(1, 'pending'))).to.deep.equal(['promote 1 g1', 'retire 1 g0']);
      expect(sim.retiredExit().at(-1)).to.equal('finished chain');
      expect(sim.serving()).to.deep.equal(['1:1']);
    });
  });

  describe('stopping', () => {
    it('SIGTERM: every worker drains; commands are ignored; exit 0 once the last one is gone', () => {
      const sim = MasterSim.running({ processes: 2 });
      expect(sim.signal('SIGTERM')).to.deep.equal(['retire 1 g0', 'retire 2 g0']);
      expect(sim.command('+')).to.deep.equal([]);
      expect(sim.exit(sim.worker(1, 'retiring'), 0)).to.deep.equal(['discard 1 g0']);
      expect(sim.exit(sim.worker(2, 'retiring'), 0)).to.deep.equal(['discard 2 g0', 'exit']);
      expect(sim.wanted.exitCode).to.equal(ExitCode.Ok);
      expect(sim.events('worker-exited').map((l) => l.level), 'expected exits').to.deep.equal(['info', 'info']);
    });

    it('stop while a reload runs: old and new workers all drain, nothing is started or promoted', () => {
      const sim = MasterSim.running({ processes: 2 });
      sim.command('r');
      sim.ready(sim.worker(1, 'pending'));
      expect(sim.command('q')).to.deep.equal(['retire 1 g0', 'retire 1 g1', 'retire 2 g0', 'retire 2 g1']);
      expect(sim.post({ kind: 'worker-ready', key: sim.table.all()[3].key, pid: sim.table.all()[3].pid as number })).to.deep.equal([]);
      for (const r of sim.table.all()) sim.exit(r, 0);
      expect(sim.performed.at(-1)).to.equal('exit');
      expect(sim.performed.filter((a) => a.startsWith('finished'))).to.deep.equal([]);
    });

    it('a worker still draining when worker-reload-mercy runs out is killed', () => {
      const sim = MasterSim.running({ processes: 2, workerReloadMercy: 5 });
      sim.signal('SIGTERM');
      sim.exit(sim.worker(1, 'retiring'), 0);
      expect(sim.wakeAt).to.equal(sim.now + 5000);
      expect(sim.advance(4999)).to.deep.equal([]);
      expect(sim.advance(1)).to.deep.equal(['kill 2 g0 (mercy)']);
      expect(sim.events('no-mercy')).to.have.length(0);
      expect(sim.exit(sim.worker(2, 'retiring'), null, 'SIGKILL')).to.deep.equal(['discard 2 g0', 'exit']);
    });

    it('a second SIGTERM, SIGINT or fifo Q: every worker killed, exit 130 once they are gone', () => {
      for (const second of ['SIGTERM', 'SIGINT', 'Q'] as const) {
        const sim = MasterSim.running({ processes: 2 });
        if (second !== 'Q') sim.signal('SIGTERM');
        const killed = second === 'Q' ? sim.command('Q') : sim.signal(second);
        expect(killed, second).to.deep.equal(['kill 1 g0 (halt)', 'kill 2 g0 (halt)']);
        sim.exit(sim.worker(1, second === 'Q' ? 'active' : 'retiring'), null, 'SIGKILL');
        expect(sim.signal('SIGINT'), 'no second kill').to.deep.equal([]);
        sim.exit(sim.table.all()[0], null, 'SIGKILL');
        expect(sim.performed.at(-1)).to.equal('exit');
        expect(sim.wanted.exitCode).to.equal(ExitCode.Interrupted);
      }
    });
  });

  it('an unknown command is logged and ignored', () => {
    const sim = MasterSim.running({ processes: 1 });
    expect(sim.command('x')).to.deep.equal([]);
    expect(sim.events('unknown-command')[0]).to.include({ command: 'x', level: 'warn' });
  });
});
