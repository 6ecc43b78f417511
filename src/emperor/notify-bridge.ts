/**
 * How a vassal tells the Emperor its state: the sd_notify messages its master already sends
 * (READY=1 once every worker accepts, RELOADING=1 / READY=1 around a reload, STOPPING=1),
 * delivered here instead of to systemd.
 *
 * Node has no AF_UNIX datagram sockets, so neither side speaks real sd_notify: the vassal's
 * master runs bin/tsuwsgi-vassal-notify in place of systemd-notify (vassal-link.ts), which
 * connects to this stream socket in the abstract namespace (no file to create, clean up or
 * guard) and writes its token and the message lines. An abstract socket is reachable by every
 * local user, so each vassal process gets its own random token, passed in its environment
 * (taken out before its workers start) and revoked when it exits: a message without a live
 * token is dropped.
 */
import crypto from 'node:crypto';
import net from 'node:net';

export type VassalReport = 'ready' | 'reloading' | 'stopping';

export interface NotifyMessage {
  readonly token: string;
  readonly reports: readonly VassalReport[];
  readonly status: string | undefined;
}

/** A message is a few short lines; anything longer is not one of ours. */
const MAX_BYTES = 4096;
const READ_TIMEOUT_MS = 2000;

const REPORTS: Record<string, VassalReport> = { 'READY=1': 'ready', 'RELOADING=1': 'reloading', 'STOPPING=1': 'stopping' };

/** `TOKEN\n` then systemd-notify's arguments, one per line. Pure. */
export function parseNotifyMessage(text: string): NotifyMessage | undefined {
  const [token, ...lines] = text.split('\n');
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined;
  const reports = lines.filter((l) => l in REPORTS).map((l) => REPORTS[l]);
  const status = lines.find((l) => l.startsWith('STATUS='))?.slice('STATUS='.length);
  return { token, reports, status };
}

export class NotifyBridge {
  private readonly tokens = new Map<string, string>();

  private constructor(
    private readonly server: net.Server,
    /** The abstract socket's name, without the leading NUL. */
    readonly name: string,
  ) {}

  static start(onReport: (owner: string, token: string, m: NotifyMessage) => void): Promise<NotifyBridge> {
    const name = `tsuwsgi-emperor-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
    let bridge: NotifyBridge | undefined;
    const server = net.createServer((socket) => readMessage(socket, (m) => {
      const owner = bridge?.tokens.get(m.token);
      if (owner !== undefined) onReport(owner, m.token, m);
    }));
    bridge = new NotifyBridge(server, name);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\0${name}`, () => {
        server.unref();
        resolve(bridge as NotifyBridge);
      });
    });
  }

  /** A new token for one process of `owner` (a vassal file): `NAME:TOKEN`, for its environment. */
  link(owner: string): { token: string; link: string } {
    const token = crypto.randomBytes(16).toString('hex');
    this.tokens.set(token, owner);
    return { token, link: `${this.name}:${token}` };
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  close(): void {
    this.server.close();
  }
}

function readMessage(socket: net.Socket, onMessage: (m: NotifyMessage) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  socket.setTimeout(READ_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BYTES) socket.destroy();
    else chunks.push(c);
  });
  socket.on('end', () => {
    const m = parseNotifyMessage(Buffer.concat(chunks).toString('utf8'));
    if (m !== undefined) onMessage(m);
    // Closing tells the client the message was taken (systemd-notify's BARRIER=1).
    socket.end();
  });
}
