/**
 * Slow and idle clients against one server with the three socket kinds (uwsgi over unix, uwsgi
 * over TCP, http-socket), and what the server does about them, seen from outside: good requests
 * answered, the worker's RSS, the connections the worker still holds (read from /proc, so a
 * client that never reads can tell too), and how a graceful stop ends.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { encodePacket } from '../../src/protocol';
import { fixtureApp, pickPort, startServer, type IniValues, type ServerProcess } from './server';
import { request } from './http';
import { exchange } from './uwsgi-client';
import { sleep, waitUntil } from './wait';
import { tempDir } from './tmp';

export const KINDS = ['unix', 'tcp', 'http'] as const;
export type Kind = (typeof KINDS)[number];

export interface Addresses { unix: string; tcp: number; http: number }

/**
 * The deadlines under test, small so the tests run fast (the lead's semantics, issue 11 item 6):
 * socket-timeout bounds every wait for the peer and the whole uwsgi head from accept;
 * http-timeout bounds the whole request on every socket kind; http-keepalive the idle time
 * between requests on http-socket.
 */
export const DEADLINES = { socketTimeoutS: 1, httpTimeoutS: 3, httpKeepaliveS: 2, mercyS: 5 };

export interface SlowServer {
  server: ServerProcess;
  to: Addresses;
  worker: number;
}

export async function startSlowServer(extra: IniValues = {}): Promise<SlowServer> {
  const dir = tempDir();
  const to = { unix: path.join(dir, 'app.sock'), tcp: await pickPort(), http: await pickPort() };
  const server = startServer({
    dir,
    ini: {
      socket: [to.unix, `127.0.0.1:${to.tcp}`],
      'http-socket': `127.0.0.1:${to.http}`,
      processes: 1, threads: 2,
      'wsgi-file': fixtureApp('echo.js'),
      'buffer-size': 4096,
      'socket-timeout': DEADLINES.socketTimeoutS,
      'http-timeout': DEADLINES.httpTimeoutS,
      'http-keepalive': DEADLINES.httpKeepaliveS,
      'worker-reload-mercy': DEADLINES.mercyS,
      'disable-logging': true,
      ...extra,
    },
  });
  const [worker] = await server.ready();
  return { server, to, worker: worker! };
}

const GOOD_PACKET = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'slow.test', CONTENT_LENGTH: '' });

/** '200', another status, or what went wrong; never waits more than timeoutMs. */
export async function goodRequest(kind: Kind, to: Addresses, timeoutMs: number): Promise<string> {
  try {
    if (kind === 'http') return String((await request(`http://127.0.0.1:${to.http}/`, { timeoutMs })).status);
    const got = await exchange(kind === 'unix' ? { path: to.unix } : { port: to.tcp }, [GOOD_PACKET], { timeoutMs });
    return /^HTTP\/1\.1 (\d{3})/.exec(got.toString('latin1'))?.[1] ?? `no status (${got.length} bytes)`;
  } catch (err) {
    return (err as Error).message;
  }
}

export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Accepted connections (not the listeners) the worker holds, per socket kind. */
export function heldConnections(pid: number, to: Addresses): Record<Kind, number> {
  const mine = socketInodes(pid);
  const held: Record<Kind, number> = { unix: 0, tcp: 0, http: 0 };
  for (const line of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path; St 01 is the listener (unconnected).
    if (f.length >= 8 && f[7] === to.unix && f[5] !== '01' && mine.has(f[6]!)) held.unix++;
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] === '0A' || !mine.has(f[9]!)) continue;
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      if (port === to.tcp) held.tcp++;
      else if (port === to.http) held.http++;
    }
  }
  return held;
}

/** A set of client connections of one behaviour, stopped together. */
export interface Clients {
  stop(): void;
}

function connect(kind: Kind, to: Addresses): net.Socket {
  const s = kind === 'unix' ? net.connect(to.unix) : net.connect(kind === 'tcp' ? to.tcp : to.http, '127.0.0.1');
  s.on('error', () => undefined);
  return s;
}

async function connectAll(kind: Kind, to: Addresses, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  // In waves, so that the backlog (1024 by default) is never the limit being tested.
  for (let i = 0; i < n; i += 100) {
    const wave = Array.from({ length: Math.min(100, n - i) }, () => connect(kind, to));
    await Promise.all(wave.map((s) => new Promise((r) => { s.once('connect', r); s.once('error', r); s.once('close', r); })));
    sockets.push(...wave);
  }
  return sockets;
}

function destroyAll(sockets: readonly net.Socket[]): void {
  for (const s of sockets) s.destroy();
}

/** Connections that send nothing. */
export async function idle(kind: Kind, to: Addresses, n: number): Promise<Clients> {
  const sockets = await connectAll(kind, to, n);
  return { stop: () => destroyAll(sockets) };
}

/** Drips `bytes` into every socket one byte per interval (one timer for all of them). */
function drip(sockets: readonly net.Socket[], bytes: Buffer, intervalMs: number, from = 0): Clients {
  let i = from;
  const timer = setInterval(() => {
    if (i >= bytes.length) return clearInterval(timer);
    for (const s of sockets) if (!s.destroyed) s.write(bytes.subarray(i, i + 1));
    i++;
  }, intervalMs);
  return { stop: () => { clearInterval(timer); destroyAll(sockets); } };
}

function slowHeadBytes(kind: Kind): Buffer {
  const pad = 'p'.repeat(200);
  if (kind === 'http') return Buffer.from(`GET / HTTP/1.1\r\nHost: slow.test\r\nX-Pad: ${pad}\r\n\r\n`);
  return encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', HTTP_X_PAD: pad, CONTENT_LENGTH: '' });
}

/** Slowloris: a valid head, one byte per interval (shorter than socket-timeout). */
export async function slowHeads(kind: Kind, to: Addresses, n: number, intervalMs: number): Promise<Clients> {
  return drip(await connectAll(kind, to, n), slowHeadBytes(kind), intervalMs);
}

/** A whole head at once, then a Content-Length body one byte per interval. */
export async function slowBodies(kind: Kind, to: Addresses, n: number, intervalMs: number, length = 1000): Promise<Clients> {
  const head = kind === 'http'
    ? Buffer.from(`POST /echo HTTP/1.1\r\nHost: slow.test\r\nContent-Length: ${length}\r\n\r\n`)
    : encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: '/echo', PATH_INFO: '/echo', CONTENT_LENGTH: String(length), CONTENT_TYPE: 'application/octet-stream' });
  const sockets = await connectAll(kind, to, n);
  for (const s of sockets) s.write(head);
  return drip(sockets, Buffer.alloc(length, 0x62), intervalMs);
}

/** Asks for a large response and never reads a byte of it. */
export async function neverRead(kind: Kind, to: Addresses, n: number, bytes: number): Promise<Clients> {
  const uri = `/big?n=${bytes}`;
  const req = kind === 'http'
    ? Buffer.from(`GET ${uri} HTTP/1.1\r\nHost: slow.test\r\nConnection: close\r\n\r\n`)
    : encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: '/big', QUERY_STRING: `n=${bytes}`, CONTENT_LENGTH: '' });
  const sockets = await connectAll(kind, to, n);
  for (const s of sockets) {
    s.pause();
    s.write(req);
  }
  return { stop: () => destroyAll(sockets) };
}

export interface ScenarioResult {
  /** Every good request made while the clients were held: kind, answer, milliseconds. */
  good: { kind: Kind; answer: string; ms: number }[];
  idleRssKb: number;
  peakRssKb: number;
  /** The most connections the worker held at once, per kind. */
  peakHeld: Record<Kind, number>;
  /** Per kind: ms from the clients' start until the worker held none of them, or null. */
  releasedMs: Record<Kind, number | null>;
  stop: { code: number | null; signal: string | null; ms: number; noMercy: boolean };
}

export interface ScenarioOptions {
  /** Opens the clients of one kind. */
  open: (kind: Kind, to: Addresses) => Promise<Clients>;
  /** How long good requests are sent while the clients are held. */
  probeMs: number;
  /** How long to wait, from the clients' start, for the worker to let go of them. */
  releaseWithinMs: Record<Kind, number>;
  goodTimeoutMs?: number;
}

/**
 * One server: warm up, measure idle RSS, open the clients on every kind, keep sending good
 * requests, watch RSS and the held connections until the worker lets go (or the wait ends),
 * then open the same clients afresh and stop the server with SIGTERM.
 */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const { server, to, worker } = await startSlowServer();
  const opened: Clients[] = [];
  try {
    for (let i = 0; i < 20; i++) for (const k of KINDS) await goodRequest(k, to, 5000);
    const idleRssKb = rssKb(worker);
    let peakRssKb = idleRssKb;
    const peakHeld: Record<Kind, number> = { unix: 0, tcp: 0, http: 0 };
    const releasedMs: Record<Kind, number | null> = { unix: null, tcp: null, http: null };
    const good: ScenarioResult['good'] = [];

    const started = Date.now();
    for (const k of KINDS) opened.push(await o.open(k, to));
    const watch = setInterval(() => {
      try {
        peakRssKb = Math.max(peakRssKb, rssKb(worker));
        const held = heldConnections(worker, to);
        for (const k of KINDS) {
          peakHeld[k] = Math.max(peakHeld[k], held[k]);
          if (held[k] === 0 && peakHeld[k] > 0 && releasedMs[k] === null) releasedMs[k] = Date.now() - started;
        }
      } catch {
        // the worker is gone: the stop assertions will say so
      }
    }, 100);
    try {
      while (Date.now() - started < o.probeMs) {
        for (const kind of KINDS) {
          const t = Date.now();
          const answer = await goodRequest(kind, to, o.goodTimeoutMs ?? 3000);
          good.push({ kind, answer, ms: Date.now() - t });
        }
        await sleep(100);
      }
      const longest = Math.max(...KINDS.map((k) => o.releaseWithinMs[k]));
      await waitUntil('release', () => KINDS.every((k) => releasedMs[k] !== null) || Date.now() - started > longest, longest + 1000).catch(() => undefined);
      for (const k of KINDS) if (releasedMs[k] !== null && releasedMs[k]! > o.releaseWithinMs[k]) releasedMs[k] = null;
    } finally {
      clearInterval(watch);
    }
    for (const c of opened.splice(0)) c.stop();

    for (const k of KINDS) opened.push(await o.open(k, to));
    await sleep(500);
    const stopStart = Date.now();
    server.child.kill('SIGTERM');
    const killer = setTimeout(() => server.kill(), (DEADLINES.mercyS + 5) * 1000);
    const exit = await server.exited;
    clearTimeout(killer);
    const stop = { code: exit.code, signal: exit.signal, ms: Date.now() - stopStart, noMercy: server.events('no-mercy').length > 0 };
    return { good, idleRssKb, peakRssKb, peakHeld, releasedMs, stop };
  } finally {
    for (const c of opened) c.stop();
    if (server.exit === undefined) server.kill();
  }
}

/** The failures of one scenario, one line each (empty: all good). */
export function goodRequestFailures(r: ScenarioResult, boundMs: number): string[] {
  return r.good.filter((g) => g.answer !== '200' || g.ms > boundMs).map((g) => `${g.kind}: ${g.answer} after ${g.ms} ms`);
}
