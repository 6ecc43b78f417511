/**
 * A socket.io app (io attached to the http.Server it exports) behind the shipped
 * deploy/nginx/websockets.conf, with socket.io-client: a room broadcast reaches the room's
 * members on both app threads of one worker (the app's own adapter carries it between them),
 * and a session that starts with long-polling upgrades to a WebSocket; behind uwsgi_pass alone,
 * the upgrade is refused (501) and the session goes on polling.
 */
import { expect } from 'chai';
import { io as ioClient, type Socket } from 'socket.io-client';
import { fixtureApp } from '../../support/server';
import { serveWebsocketSite, type WebsocketSite } from '../../support/websockets';
import { serveBehindNginx, type BehindNginx } from '../../support/behind-nginx';
import { waitUntil } from '../../support/wait';

interface Member {
  readonly socket: Socket;
  readonly thread: number;
  readonly pid: number;
  readonly heard: string[];
}

function join(url: string, transports: string[]): Promise<Member> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(url, { transports, reconnection: false, forceNew: true, timeout: 10_000 });
    const heard: string[] = [];
    socket.on('heard', (m: { text: string }) => heard.push(m.text));
    socket.once('hello', (h: { pid: number; thread: number }) => resolve({ socket, thread: h.thread, pid: h.pid, heard }));
    socket.once('connect_error', reject);
  });
}

describe('WebSockets: socket.io through nginx', function () {
  this.timeout(60_000);
  let site: WebsocketSite | undefined;
  let plain: BehindNginx | undefined;
  const members: Member[] = [];

  afterEach(async () => {
    for (const m of members.splice(0)) m.socket.disconnect();
    await site?.stop();
    await plain?.stop();
    site = undefined;
    plain = undefined;
  });

  it('broadcasts to a room whose members are on both app threads of one worker, and to no one else', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('socketio-app.js'), processes: 1, threads: 2, 'threads-min': 2, env: 'SIO_WEBSOCKET_ONLY=1' });
    const byThread = new Map<number, Member[]>();
    await waitUntil('members on both threads', async () => {
      const m = await join(site!.url, ['websocket']);
      members.push(m);
      byThread.set(m.thread, [...(byThread.get(m.thread) ?? []), m]);
      return [...byThread.values()].filter((l) => l.length >= 2).length === 2;
    }, 30_000, 0);
    const [one, two] = [...byThread.values()];
    const inRoom = [one[0], two[0]];
    const outside = [one[1], two[1]];
    await Promise.all(inRoom.map((m) => m.socket.emitWithAck('join', 'r')));

    inRoom[0].socket.emit('shout', { room: 'r', text: 'to the room' });
    // Then one to everybody, from the same thread: whoever got this one would have the first too.
    inRoom[0].socket.emit('shout', { text: 'to all' });
    await waitUntil('everybody heard the broadcast to all', () => members.every((m) => m.heard.includes('to all')));
    for (const m of inRoom) expect(m.heard).to.deep.equal(['to the room', 'to all']);
    for (const m of outside) expect(m.heard).to.deep.equal(['to all']);
    expect(inRoom[0].thread).to.not.equal(inRoom[1].thread);
    expect(inRoom[0].pid).to.equal(inRoom[1].pid);
  });

  it('starts a session with long-polling and upgrades it to a WebSocket (one thread)', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('socketio-app.js'), processes: 1, threads: 1 });
    const m = await join(site.url, ['polling', 'websocket']);
    members.push(m);
    const engine = m.socket.io.engine;
    await waitUntil('the upgrade to websocket', () => engine.transport.name === 'websocket');
    await m.socket.emitWithAck('join', 'solo');
    m.socket.emit('shout', { room: 'solo', text: 'over the upgraded transport' });
    await waitUntil('the echo', () => m.heard.length === 1);
    expect(m.heard).to.deep.equal(['over the upgraded transport']);
  });

  it('behind uwsgi_pass only: the upgrade is answered 501 and the session stays on long-polling', async () => {
    plain = await serveBehindNginx({ 'wsgi-file': fixtureApp('socketio-app.js'), processes: 1, threads: 1 });
    const m = await join(plain.nginx.url, ['polling', 'websocket']);
    members.push(m);
    await plain.server.waitForLog('the refused upgrade', (l) => l.code === 'E_UPGRADE_OVER_UWSGI');
    await m.socket.emitWithAck('join', 'solo');
    m.socket.emit('shout', { room: 'solo', text: 'over polling' });
    await waitUntil('the echo', () => m.heard.length === 1);
    expect(m.heard).to.deep.equal(['over polling']);
    expect(m.socket.io.engine.transport.name).to.equal('polling');
  });
});
