import { expect } from 'chai';
import { parseProcNetTcp, parseSsListening, socketInode } from '../../../../src/master/stats/listen-table';
import { parseProcStatus } from '../../../../src/master/stats/proc-memory';

describe('listen queue sources', () => {
  it('ss -lnHe -t -x: Recv-Q is the queue and Send-Q the backlog, keyed by inode (tcp and unix)', () => {
    const text = [
      'u_str LISTEN 1      5      /tmp/ssx.sock 95929054       * 0 <-> ino:2146808 dev:0/65024 peers: 95929055',
      'tcp   LISTEN 101    100        127.0.0.1:34007    0.0.0.0:* ino:95929053 sk:5 cgroup:/ <->',
      'tcp   LISTEN 0      4096            [::]:22            [::]:* ino:1525 sk:2 cgroup:/ v6only:1 <->',
      'u_str LISTEN 0 128 @/tmp/.X11-unix/X0 31337 * 0',
      'garbage line',
      '',
    ].join('\n');
    const t = parseSsListening(text);
    expect(t.get(95929054)).to.deep.equal({ queue: 1, max: 5 });
    expect(t.get(95929053)).to.deep.equal({ queue: 101, max: 100 });
    expect(t.get(1525)).to.deep.equal({ queue: 0, max: 4096 });
    expect(t.get(31337)).to.deep.equal({ queue: 0, max: 128 });
    expect(t.get(2146808), 'the peer-side ino: of a unix socket is not its own').to.equal(undefined);
    expect(t.size).to.equal(4);
  });

  it('/proc/net/tcp: LISTEN rows only, rx_queue (hex) is the accept queue', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1525 1 000000003e483d10 100 0 0 10 0',
      '   1: 0100007F:84D7 00000000:0000 0A 00000000:0000001B 00:00000000 00000000     0        0 95929053 2 00000000577720b6 100 0 0 10 0',
      '   2: 0100007F:84D7 0100007F:D2A4 01 00000000:00000010 00:00000000 00000000     0        0 95929099 1 0000000000000000 20 4 30 10 -1',
      '   3: 0100007F:84D8 0100007F:D2A5 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
    ].join('\n');
    const t = parseProcNetTcp(text);
    expect([...t.keys()]).to.deep.equal([1525, 95929053]);
    expect(t.get(95929053)).to.deep.equal({ queue: 27, max: undefined });
  });

  it('reads a socket inode from a /proc/self/fd link', () => {
    expect(socketInode('socket:[95929053]')).to.equal(95929053);
    expect(socketInode('/dev/null')).to.equal(undefined);
    expect(socketInode('pipe:[12]')).to.equal(undefined);
  });

  it('reads RSS and VSZ in bytes from /proc/PID/status', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmSize:\t  958040 kB\nVmRSS:\t   53360 kB\nThreads:\t7\n';
    expect(parseProcStatus(text)).to.deep.equal({ rssBytes: 53360 * 1024, vszBytes: 958040 * 1024 });
    expect(parseProcStatus('Name: zombie\n')).to.deep.equal({ rssBytes: 0, vszBytes: 0 });
  });
});
