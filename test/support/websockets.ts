/**
 * A tsuwsgi with both sockets behind the shipped deploy/nginx/websockets.conf (upgrades and
 * /socket.io/ over proxy_pass to the http-socket, the rest over uwsgi_pass), and `ws` clients
 * that remember what they were told. Every process is stopped by pid (here, or the global hooks).
 */
import path from 'node:path';
import WebSocket from 'ws';
import { startServer, type IniValues, type ServerProcess } from './server';
import { adaptSite, deployFile, startSiteNginx, type SiteNginx } from './deploy';
import { pickPort } from './server';
import { tempDir } from './tmp';
import { waitUntil } from './wait';

export interface WebsocketSite {
  readonly server: ServerProcess;
  readonly nginx: SiteNginx;
  /** http://127.0.0.1:PORT (nginx). */
  readonly url: string;
  /** ws://127.0.0.1:PORT (nginx). */
  readonly wsUrl: string;
  readonly uwsgiSocket: string;
  readonly httpSocket: string;
  stop(): Promise<void>;
}

/** `ini` gets `socket`, `http-socket` and `chmod-socket` added. */
export async function serveWebsocketSite(ini: IniValues): Promise<WebsocketSite> {
  const dir = tempDir();
  const uwsgiSocket = path.join(dir, 'app.sock');
  const httpSocket = path.join(dir, 'ws.sock');
  const server = startServer({ dir, ini: { socket: uwsgiSocket, 'http-socket': httpSocket, 'chmod-socket': 666, ...ini } });
  await server.ready();
  const port = await pickPort();
  const site = adaptSite(deployFile('nginx/websockets.conf'), {
    listen: `127.0.0.1:${port}`,
    replace: { '/run/tsuwsgi/app.sock': uwsgiSocket, '/run/tsuwsgi/ws.sock': httpSocket },
  });
  const nginx = await startSiteNginx(site, { port });
  return {
    server,
    nginx,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    uwsgiSocket,
    httpSocket,
    stop: async () => {
      await nginx.stop();
      await server.stop();
    },
  };
}

/** What the ws-echo fixture says first on every socket. */
export interface Hello {
  readonly hello: true;
  readonly pid: number;
  readonly thread: number;
  readonly url: string;
}

/** A client socket and everything it heard. */
export interface Client {
  readonly ws: WebSocket;
  readonly hello: Hello;
  readonly messages: string[];
  /** Set once the socket closed: the code and reason the client saw, and whether the close was a clean handshake. */
  closed: { code: number; reason: string } | undefined;
  /** Resolves with the next message after the hello. */
  next(): Promise<string>;
}

/** Opens a socket and waits for the fixture's hello. */
export function connect(url: string, timeoutMs = 10_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no hello from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    let client: Client | undefined;
    const waiting: ((m: string) => void)[] = [];
    const messages: string[] = [];
    ws.on('message', (data) => {
      const text = data.toString();
      if (client === undefined) {
        clearTimeout(timer);
        client = {
          ws, hello: JSON.parse(text) as Hello, messages, closed: undefined,
          next: () => new Promise((r) => waiting.push(r)),
        };
        resolve(client);
        return;
      }
      messages.push(text);
      waiting.shift()?.(text);
    });
    ws.on('close', (code, reason) => {
      if (client !== undefined) client.closed = { code, reason: reason.toString() };
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function untilClosed(c: Client, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  return waitUntil('the socket closed', () => c.closed, timeoutMs);
}
