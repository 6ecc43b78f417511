import { expect } from 'chai';
import { parseProcNetTcp, parseProcNetUnix, pastListening, socketInode } from '../../../../src/master/stats/listen-table';
import { parseProcStatus } from '../../../../src/master/stats/proc-memory';

describe('listen queue sources', () => {
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
    expect(t.get(95929053)).to.equal(27);
  });

  it('/proc/net/tcp: a reader may stop at the first complete row that is not LISTEN', () => {
    const head = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const listen = '   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1525 1 000000003e483d10 100 0 0 10 0\n';
    const wait = '   1: 0100007F:84D8 0100007F:D2A5 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n';
    expect(pastListening('')).to.equal(false);
    expect(pastListening(head)).to.equal(false);
    expect(pastListening(head + listen)).to.equal(false);
    expect(pastListening(head + listen + wait.slice(0, 30)), 'a row cut by the chunk is not read yet').to.equal(false);
    expect(pastListening(head + listen + wait)).to.equal(true);
    expect(pastListening(head.trimEnd()), 'a header without its newline').to.equal(false);
  });

  it('/proc/net/unix: the queue is the count of SS_CONNECTING rows with the listener\'s path and no inode', () => {
    // Read off this kernel: a listener with backlog 10, 5 connects, 1 accepted, 1 client gone.
    const text = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '000000001c1d0c99: 00000002 00000000 00010000 0001 01 7411392 /tmp/q.sock',
      '0000000088712e89: 00000003 00000000 00000000 0001 02     0 /tmp/q.sock',
      '00000000075ab6ee: 00000003 00000000 00000000 0001 02     0 /tmp/q.sock',
      '00000000113155bc: 00000003 00000000 00000000 0001 02     0 /tmp/q.sock',
      '00000000e4e22d84: 00000003 00000000 00000000 0001 03 7411400 /tmp/q.sock',
      '00000000a1f6e44f: 00000002 00000000 00000000 0001 02     0 /tmp/q.sock',
      // a client of another server: connected, no path of its own
      '000000005e14c0aa: 00000003 00000000 00000000 0001 03 7411401',
      // a seqpacket listener whose path has a space, one connection waiting
      '000000006a1b2c3d: 00000002 00000000 00010000 0005 01 7411500 /run/my app.sock',
      '000000006a1b2c3e: 00000003 00000000 00000000 0005 02     0 /run/my app.sock',
      // an abstract listener with nothing waiting; a bound datagram socket (not a listener)
      '000000007a1b2c3d: 00000002 00000000 00010000 0001 01 31337 @/tmp/.X11-unix/X0',
      '000000007a1b2c40: 00000002 00000000 00000000 0002 01 31338 /run/systemd/notify',
      'garbage',
      '',
    ].join('\n');
    const t = parseProcNetUnix(text);
    expect(t.get(7411392)).to.equal(4);
    expect(t.get(7411500)).to.equal(1);
    expect(t.get(31337)).to.equal(0);
    expect(t.has(7411400), 'an accepted connection is not a listener').to.equal(false);
    expect(t.has(31338), 'a datagram socket does not listen').to.equal(false);
    expect(t.size).to.equal(3);
  });

  it('/proc/net/unix: two listeners on one path both get its count (the rows do not say which)', () => {
    const text = [
      '0000000000000001: 00000002 00000000 00010000 0001 01 100 /run/a.sock',
      '0000000000000002: 00000002 00000000 00010000 0001 01 200 /run/a.sock',
      '0000000000000003: 00000003 00000000 00000000 0001 02     0 /run/a.sock',
    ].join('\n');
    const t = parseProcNetUnix(text);
    expect(t.get(100)).to.equal(1);
    expect(t.get(200)).to.equal(1);
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
