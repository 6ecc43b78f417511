import { expect } from 'chai';
import { FIRST_SOCKET_FD, layOutFds } from '../../../src/shared/fd-layout';

describe('shared/fd-layout: where a worker finds its sockets', () => {
  const sockets = [
    { fd: 11, proto: 'uwsgi' as const, name: '/run/app.sock' },
    { fd: 12, proto: 'http' as const, name: '127.0.0.1:8080' },
  ];

  it('one dup per socket per thread, socket-major, after stdio and the IPC channel', () => {
    const { parentFds, perThread } = layOutFds(sockets, 3);
    expect(FIRST_SOCKET_FD).to.equal(4);
    expect(parentFds).to.deep.equal([11, 11, 11, 12, 12, 12]);
    expect(perThread.map((t) => t.map((l) => l.fd))).to.deep.equal([[4, 7], [5, 8], [6, 9]]);
    expect(perThread[1]).to.deep.equal([
      { fd: 5, proto: 'uwsgi', name: '/run/app.sock' },
      { fd: 8, proto: 'http', name: '127.0.0.1:8080' },
    ]);
  });

  it('each child fd names the parent fd at the same stdio position', () => {
    const { parentFds, perThread } = layOutFds(sockets, 2);
    for (const [i, s] of sockets.entries()) {
      for (const thread of perThread) expect(parentFds[thread[i].fd - FIRST_SOCKET_FD]).to.equal(s.fd);
    }
  });

  it('no sockets: no extra fds, an empty list per thread', () => {
    expect(layOutFds([], 2)).to.deep.equal({ parentFds: [], perThread: [[], []] });
  });
});
