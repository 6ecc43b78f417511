import { expect } from 'chai';
import { daemonsOf, parseAttachDaemon, parseAttachDaemon2, parseSignal, parseSmartAttachDaemon } from '../../../src/config/daemon-spec';
import type { DaemonSpec } from '../../../src/shared/config';

function value(parsed: { value: DaemonSpec } | { problem: string }): DaemonSpec {
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.value;
}

function problem(parsed: { value: DaemonSpec } | { problem: string }): string {
  return 'problem' in parsed ? parsed.problem : 'no problem';
}

describe('config/daemon-spec: attach-daemon, smart-attach-daemon, attach-daemon2', () => {
  it('attach-daemon: the whole value is the command, with uWSGI defaults', () => {
    expect(value(parseAttachDaemon('  node worker.js --queue a,b  '))).to.deep.equal({
      command: 'node worker.js --queue a,b', pidfile: undefined, freq: 10, stopSignal: 'SIGTERM', reloadSignal: undefined,
      touch: [], chdir: undefined, maxThrottle: 300, control: false,
    });
    expect(problem(parseAttachDaemon('  '))).to.equal('expected a command');
  });

  it('smart-attach-daemon: PIDFILE[,FREQ] then the command; the pidfile resolves against the base dir', () => {
    const spec = value(parseSmartAttachDaemon('run/redis.pid redis-server --port 7000', '/srv/app'));
    expect([spec.pidfile, spec.command, spec.freq]).to.deep.equal(['/srv/app/run/redis.pid', 'redis-server --port 7000', 10]);
    expect(value(parseSmartAttachDaemon('/tmp/x.pid,3 sleep 1', '/')).freq).to.equal(3);
    expect(problem(parseSmartAttachDaemon('/tmp/x.pid', '/'))).to.equal('expected PIDFILE[,FREQ] COMMAND');
    expect(problem(parseSmartAttachDaemon('/tmp/x.pid,0 cmd', '/'))).to.match(/not a whole number of seconds/);
  });

  it('attach-daemon2: every key tsuwsgi implements, with aliases, escapes and signals by name or number', () => {
    const spec = value(parseAttachDaemon2('exec=node q.js a\\,b,pidfile=q.pid,freq=2,stop_signal=15,reloadsignal=HUP,touch=a.txt;/tmp/b,chdir=sub,max_throttle=9,control=1', '/srv'));
    expect(spec).to.deep.equal({
      command: 'node q.js a,b', pidfile: '/srv/q.pid', freq: 2, stopSignal: 'SIGTERM', reloadSignal: 'SIGHUP',
      touch: ['/srv/a.txt', '/tmp/b'], chdir: '/srv/sub', maxThrottle: 9, control: true,
    });
    expect(value(parseAttachDaemon2('cmd=x,notifypid=1', '/')).command).to.equal('x');
  });

  it('attach-daemon2: refuses what it cannot do, by name', () => {
    expect(problem(parseAttachDaemon2('pidfile=/x', '/'))).to.equal('the cmd key (the command to run) is required');
    expect(problem(parseAttachDaemon2('cmd=x,uid=33', '/'))).to.equal('the key uid is not implemented by tsuwsgi');
    expect(problem(parseAttachDaemon2('cmd=x,daemonize=1', '/'))).to.equal('the key daemonize is not implemented by tsuwsgi');
    expect(problem(parseAttachDaemon2('cmd=x,colour=red', '/'))).to.equal('unknown key "colour"');
    expect(problem(parseAttachDaemon2('cmd=x,stopsignal=NOPE', '/'))).to.equal('stopsignal: "NOPE" is not a signal name or number');
    expect(problem(parseAttachDaemon2('cmd=x,freq=0', '/'))).to.equal('freq: expected a whole number ≥ 1');
    expect(problem(parseAttachDaemon2('just a command', '/'))).to.match(/^expected key=value pairs/);
  });

  it('signals: SIGINT, INT, int and 2 are the same', () => {
    expect(['SIGINT', 'INT', 'int', '2'].map(parseSignal)).to.deep.equal(['SIGINT', 'SIGINT', 'SIGINT', 'SIGINT']);
    expect(parseSignal('999')).to.equal(undefined);
  });

  it('daemonsOf lists attach-daemon, then smart-attach-daemon, then attach-daemon2', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((cmd) => value(parseAttachDaemon(cmd)));
    expect(daemonsOf({ attachDaemon: [a], smartAttachDaemon: [b], attachDaemon2: [c] }).map((d) => d.command)).to.deep.equal(['a', 'b', 'c']);
  });
});
