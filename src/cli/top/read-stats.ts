/**
 * Reads one stats document from a running server: TCP (`host:port`, `:port`), a unix socket
 * path (the stats protocol: connect, read to EOF), or an `http://` URL (stats-http). Bounded by
 * a timeout; every failure is one E_TOP_READ line naming the address.
 */
import net from 'node:net';
import http from 'node:http';
import { parseAddress } from '../../config/address';
import { TsuwsgiError } from '../../shared/errors';
import type { StatsDocument } from '../../shared/stats-document';
import type { EmperorDocument } from '../../emperor/emperor-stats';

/** A master's stats document, or an Emperor's (emperor-stats: a vassals list). */
export type AnyDocument = { readonly kind: 'master'; readonly doc: StatsDocument } | { readonly kind: 'emperor'; readonly doc: EmperorDocument };

const TIMEOUT_MS = 3000;
const MAX_BYTES = 16 * 1024 * 1024;

export async function readStats(address: string, cwd = process.cwd()): Promise<StatsDocument> {
  const read = await readDocument(address, cwd);
  if (read.kind === 'emperor') throw new TsuwsgiError('E_TOP_READ', `stats ${address}: an Emperor's document, not a server's (no workers list)`);
  return read.doc;
}

export async function readDocument(address: string, cwd = process.cwd()): Promise<AnyDocument> {
  const text = address.startsWith('http://') ? await readHttp(address) : await readSocket(address, cwd);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TsuwsgiError('E_TOP_READ', `stats ${address}: the answer is not JSON (is it a stats address? with stats-http use http://HOST:PORT)`);
  }
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as EmperorDocument).vassals)) return { kind: 'emperor', doc: doc as EmperorDocument };
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as StatsDocument).workers)) {
    throw new TsuwsgiError('E_TOP_READ', `stats ${address}: the answer is not a stats document (no workers list)`);
  }
  return { kind: 'master', doc: doc as StatsDocument };
}

function readSocket(address: string, cwd: string): Promise<string> {
  const parsed = parseAddress(address, cwd);
  if ('problem' in parsed) return Promise.reject(new TsuwsgiError('E_TOP_READ', `stats ${address}: ${parsed.problem}`));
  const a = parsed.value;
  return new Promise((resolve, reject) => {
    const socket = a.kind === 'unix' ? net.connect(a.path) : net.connect(a.port, a.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (why: string): void => {
      socket.destroy();
      reject(new TsuwsgiError('E_TOP_READ', `stats ${address}: ${why}`));
    };
    socket.setTimeout(TIMEOUT_MS, () => fail(`no complete answer within ${TIMEOUT_MS} ms`));
    socket.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BYTES) return fail('answer too large');
      chunks.push(c);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function readHttp(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new TsuwsgiError('E_TOP_READ', `stats ${url}: ${why}`));
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : fail(`HTTP ${res.statusCode}`)));
      res.on('error', (err) => fail(err.message));
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}
