/**
 * Attached daemons through the master's real handlers and reconcile step (MasterSim: no
 * processes, a clock the test moves): start, restart with throttling, reload, touch, stop,
 * smart daemons watched through their pidfile.
 */
import { expect } from 'chai';
import { parseAttachDaemon, parseAttachDaemon2, parseSmartAttachDaemon } from '../../../../src/config/daemon-spec';
import type { DaemonSpec } from '../../../../src/shared/config';
import { MasterSim } from '../master-sim';

function spec(parsed: { value: DaemonSpec } | { problem: string }): DaemonSpec {
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.value;
}

const PLAIN = spec(parseAttachDaemon('node consumer.js'));
const SMART = spec(parseSmartAttachDaemon('/run/redis.pid,3 redis-server', '/'));
const RELOADABLE = spec(parseAttachDaemon2('cmd=node exporter.js,reloadsignal=HUP,touch=/srv/exporter.conf', '/'));
const CONTROL = spec(parseAttachDaemon2('cmd=node must-live.js,control=1', '/'));

describe('master/daemons: the reconcile step and the handlers', () => {
  it('a plain daemon starts with the workers; started again at once after a long run', () => {
    const sim = new MasterSim({ attachDaemon: [PLAIN] });
    expect(sim.boot().filter((a) => a.startsWith('daemon'))).to.deep.equal(['daemon-add d1 g0', 'daemon-start d1 g0']);
    sim.allReady();
    const d = sim.daemon(1);
    sim.advance(60_000);
    expect(sim.daemonExit(d, 1)).to.deep.equal(['daemon-start d1 g0']);
    expect(d.starts).to.equal(2);
    expect(sim.events('daemon-exited')).to.have.length(1);
  });

  it('one that keeps dying waits a second more each time (up to max_throttle), and a long run resets that', () => {
    const sim = MasterSim.running({ attachDaemon2: [spec(parseAttachDaemon2('cmd=false,max_throttle=3', '/'))] });
    const d = sim.daemon(1);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      sim.advance(100);
      expect(sim.daemonExit(d)).to.deep.equal([]);
      delays.push((d.startAt as number) - sim.now);
      expect(sim.advance(delays[i] - 1)).to.deep.equal([]);
      expect(sim.advance(1)).to.deep.equal(['daemon-start d1 g0']);
    }
    expect(delays).to.deep.equal([1000, 2000, 3000, 3000]);
    expect(sim.events('daemon-throttled')).to.have.length(4);
    sim.advance(5000);
    expect(sim.daemonExit(d)).to.deep.equal(['daemon-start d1 g0']);
    expect(d.quickDeaths).to.equal(0);
  });

  it('a reload stops a plain daemon and starts it again once it is gone; one with reloadsignal is signalled and kept', () => {
    const sim = MasterSim.running({ attachDaemon: [PLAIN], attachDaemon2: [RELOADABLE] });
    const old = sim.daemon(1);
    const actions = sim.signal('SIGHUP').filter((a) => a.startsWith('daemon'));
    expect(actions).to.deep.equal(['daemon-stop d1 g0 (reload)', 'daemon-renew d2 g1']);
    expect(sim.daemon(2).starts).to.equal(1);
    expect(sim.daemonExit(old, null, 'SIGTERM')).to.deep.equal(['daemon-forget d1 g0 (gone)', 'daemon-add d1 g1', 'daemon-start d1 g1']);
  });

  it('a plain daemon that does not stop within worker-reload-mercy is killed', () => {
    const sim = MasterSim.running({ attachDaemon: [PLAIN], workerReloadMercy: 5 });
    sim.signal('SIGHUP');
    expect(sim.advance(4999).filter((a) => a.startsWith('daemon'))).to.deep.equal([]);
    expect(sim.advance(1).filter((a) => a.startsWith('daemon'))).to.deep.equal(['daemon-kill d1 g0']);
  });

  it('a touch file sends the stop signal; the death that follows brings the restart', () => {
    const sim = MasterSim.running({ attachDaemon2: [RELOADABLE] });
    const d = sim.daemon(1);
    sim.advance(10_000);
    expect(sim.post({ kind: 'daemon-touched', file: '/srv/exporter.conf' })).to.deep.equal(['daemon-touch-stop d1 g0']);
    expect(sim.post({ kind: 'daemon-touched', file: '/srv/other' })).to.deep.equal([]);
    expect(sim.daemonExit(d, null, 'SIGTERM')).to.deep.equal(['daemon-start d1 g0']);
  });

  it('SIGTERM: the master exits only once its plain daemons are gone; a smart one is left running', () => {
    const sim = MasterSim.running({ attachDaemon: [PLAIN], smartAttachDaemon: [SMART] });
    sim.pidfiles.set('/run/redis.pid', 4242);
    sim.advance(1000);
    expect(sim.daemon(2).pid).to.equal(4242);
    const stop = sim.signal('SIGTERM');
    expect(stop.filter((a) => a.startsWith('daemon'))).to.deep.equal(['daemon-stop d1 g0 (master-stop)', 'daemon-forget d2 g0 (left-running)']);
    sim.retiredExit();
    expect(sim.exited).to.equal(false);
    expect(sim.daemonExit(sim.daemon(1), null, 'SIGTERM')).to.deep.equal(['daemon-forget d1 g0 (gone)', 'exit']);
  });

  it('a smart daemon already running (its pidfile names a live process) is adopted, not started', () => {
    const sim = new MasterSim({ smartAttachDaemon: [SMART] });
    sim.pidfiles.set('/run/redis.pid', 777);
    expect(sim.boot().filter((a) => a.startsWith('daemon'))).to.deep.equal(['daemon-add d1 g0', 'daemon-check d1 g0']);
    sim.allReady();
    expect(sim.daemon(1)).to.deep.include({ pid: 777, starts: 0, watched: true });
    expect(sim.events('daemon-pidfile')[0].msg).to.equal('daemon 1 found running as pid 777 (/run/redis.pid)');
  });

  it('a smart daemon: started when its pidfile names nobody, given freq seconds to write it, started again when its process is gone; a reload keeps it', () => {
    const sim = MasterSim.running({ smartAttachDaemon: [SMART] });
    const d = sim.daemon(1);
    expect(d.starts).to.equal(1);
    // It daemonizes: its own process exits, the pidfile is not there yet.
    sim.daemonExit(d, 0);
    expect(sim.advance(1000)).to.deep.equal(['daemon-check d1 g0']);
    expect(d.startAt).to.equal(undefined);
    sim.pidfiles.set('/run/redis.pid', 900);
    sim.advance(1000);
    expect(d).to.deep.include({ pid: 900, watched: true });
    expect(sim.signal('SIGHUP').filter((a) => a.startsWith('daemon'))).to.deep.equal(['daemon-renew d1 g1']);
    sim.pidfiles.delete('/run/redis.pid');
    expect(sim.advance(1000)).to.deep.equal(['daemon-check d1 g1', 'daemon-start d1 g1']);
    expect(sim.events('daemon-gone')).to.have.length(1);
  });

  it('a smart daemon that never writes its pidfile is started again after freq seconds, throttled', () => {
    const sim = MasterSim.running({ smartAttachDaemon: [SMART] });
    const d = sim.daemon(1);
    sim.daemonExit(d, 0);
    sim.advance(1000);
    sim.advance(1000);
    expect(d.startAt).to.equal(undefined);
    sim.advance(1000);
    expect(d.startAt).to.equal(sim.now + 1000);
    expect(sim.events('daemon-gone')[0].msg).to.equal('daemon 1 (/run/redis.pid): no live pid in it 3 s after the start');
  });

  it('a control daemon that dies stops the master gracefully', () => {
    const sim = MasterSim.running({ attachDaemon2: [CONTROL] });
    sim.daemonExit(sim.daemon(1), 3);
    expect(sim.wanted.phase).to.equal('stopping');
    expect(sim.events('control-daemon-died')).to.have.length(1);
  });

  it('a daemon that cannot be started is tried again, throttled', () => {
    const sim = MasterSim.running({ attachDaemon: [PLAIN] });
    const d = sim.daemon(1);
    sim.daemonExit(d);
    sim.advance(1000);
    expect(sim.post({ kind: 'daemon-spawn-failed', key: d.key, message: 'chdir /srv/gone does not exist' })).to.deep.equal([]);
    expect(d.startAt).to.equal(sim.now + 2000);
  });
});
