import { expect } from 'chai';
import { forgetListenFds, listenFds } from '../../../src/shared/listen-fds';
import { canonicalIp, matchInherited, unixPathOfInode, type ListenKey } from '../../../src/master/socket-activation';

describe('socket activation: LISTEN_FDS / LISTEN_PID', () => {
  it('lists fds from 3 on when LISTEN_PID is this pid', () => {
    expect(listenFds({ LISTEN_PID: '42', LISTEN_FDS: '3' }, 42)).to.deep.equal([3, 4, 5]);
  });
  it('ignores sockets meant for another process', () => {
    expect(listenFds({ LISTEN_PID: '41', LISTEN_FDS: '1' }, 42)).to.deep.equal([]);
  });
  it('ignores absent or malformed variables', () => {
    expect(listenFds({}, 42)).to.deep.equal([]);
    expect(listenFds({ LISTEN_FDS: '1' }, 42)).to.deep.equal([]);
    expect(listenFds({ LISTEN_PID: '42' }, 42)).to.deep.equal([]);
    expect(listenFds({ LISTEN_PID: '42', LISTEN_FDS: 'two' }, 42)).to.deep.equal([]);
    expect(listenFds({ LISTEN_PID: '42x', LISTEN_FDS: '1' }, 42)).to.deep.equal([]);
    expect(listenFds({ LISTEN_PID: '42', LISTEN_FDS: '0' }, 42)).to.deep.equal([]);
  });
  it('forgets the variables, as sd_listen_fds(1) does', () => {
    const env: Record<string, string | undefined> = { LISTEN_PID: '42', LISTEN_FDS: '1', LISTEN_FDNAMES: 'app', PATH: '/bin' };
    forgetListenFds(env);
    expect(env).to.deep.equal({ PATH: '/bin' });
  });
});

describe('socket activation: matching passed sockets to socket lines', () => {
  const tcp = (ip: string, port: number): ListenKey => ({ kind: 'tcp', ip, port });
  const unix = (path: string): ListenKey => ({ kind: 'unix', path });

  it('pairs by address whatever the order, and leaves the rest unmatched', () => {
    const r = matchInherited([unix('/run/a.sock'), tcp('127.0.0.1', 8000)], [tcp('127.0.0.1', 8000), unix('/run/extra.sock'), unix('/run/a.sock')]);
    expect(r).to.deep.equal({ matches: [2, 0], unmatched: [1] });
  });
  it('matches :PORT (every interface) to 0.0.0.0 or ::, and nothing narrower', () => {
    expect(matchInherited([tcp('', 8080)], [tcp('0.0.0.0', 8080)]).matches).to.deep.equal([0]);
    expect(matchInherited([tcp('', 8080)], [tcp('::', 8080)]).matches).to.deep.equal([0]);
    expect(matchInherited([tcp('', 8080)], [tcp('127.0.0.1', 8080)]).matches).to.deep.equal([undefined]);
  });
  it('needs the same host and port', () => {
    expect(matchInherited([tcp('127.0.0.1', 8080)], [tcp('127.0.0.1', 8081)]).matches).to.deep.equal([undefined]);
    expect(matchInherited([tcp('127.0.0.2', 8080)], [tcp('127.0.0.1', 8080)]).matches).to.deep.equal([undefined]);
    expect(matchInherited([tcp('::1', 8080)], [tcp('::1', 8080)]).matches).to.deep.equal([0]);
  });
  it('never takes a unix socket for a TCP one', () => {
    expect(matchInherited([unix('/run/a.sock')], [tcp('0.0.0.0', 80)])).to.deep.equal({ matches: [undefined], unmatched: [0] });
  });
  it('uses each passed socket once', () => {
    const r = matchInherited([unix('/a'), unix('/a')], [unix('/a')]);
    expect(r).to.deep.equal({ matches: [0, undefined], unmatched: [] });
  });
  it('skips lines whose host did not resolve', () => {
    expect(matchInherited([undefined], [unix('/a')])).to.deep.equal({ matches: [undefined], unmatched: [0] });
  });
  it('compares IPs in canonical form', () => {
    expect(canonicalIp('0:0:0:0:0:0:0:1')).to.equal('::1');
    expect(canonicalIp('127.0.0.1')).to.equal('127.0.0.1');
  });
});

describe('socket activation: the path of a passed unix socket', () => {
  const proc = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 95582555 /run/tsuwsgi/app.sock',
    '0000000000000000: 00000002 00000000 00010000 0001 01 95582556 @abstract',
    '0000000000000000: 00000003 00000000 00000000 0001 03 95582557',
    '0000000000000000: 00000002 00000000 00010000 0001 01 95582558 /tmp/with space.sock',
  ].join('\n');
  it('finds it by inode in /proc/net/unix', () => {
    expect(unixPathOfInode(proc, 95582555)).to.equal('/run/tsuwsgi/app.sock');
    expect(unixPathOfInode(proc, 95582556)).to.equal('@abstract');
    expect(unixPathOfInode(proc, 95582558)).to.equal('/tmp/with space.sock');
  });
  it('has none for an unnamed socket or an unknown inode', () => {
    expect(unixPathOfInode(proc, 95582557)).to.equal(undefined);
    expect(unixPathOfInode(proc, 1)).to.equal(undefined);
  });
});
