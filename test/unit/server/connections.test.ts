/**
 * What every socket kind does with its connections, written once: the set, the client-gone
 * line, and the graceful stop's rule (a connection holding no request is closed once its kind's
 * grace has passed; one holding a request is left to finish).
 */
import { expect } from 'chai';
import type { Socket } from 'node:net';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { ServeContext } from '../../../src/server/context';
import { closeHoldingNoRequest, logClientGone, OpenConnections, track, untrack, type OpenConnection } from '../../../src/server/connections';

function fakeSocket(): Socket & { destroyedByRule: boolean } {
  const s = { destroyedByRule: false, destroy() { s.destroyedByRule = true; } };
  return s as unknown as Socket & { destroyedByRule: boolean };
}

const kind = (graceMs: number, holds: boolean): OpenConnection => ({ drainGraceMs: graceMs, holdsRequest: () => holds });

describe('server/connections', () => {
  it('OpenConnections is a set: add twice counts once, delete from anywhere keeps the rest, a walk sees each once and may delete as it goes', () => {
    const set = new OpenConnections();
    const sockets = Array.from({ length: 6 }, () => fakeSocket());
    for (const s of sockets) set.add(s);
    set.add(sockets[2]!);
    expect(set.size).to.equal(6);
    expect(set.delete(sockets[0]!)).to.equal(true);
    expect(set.delete(sockets[0]!)).to.equal(false);
    expect(set.delete(sockets[3]!)).to.equal(true);
    expect(set.delete(fakeSocket())).to.equal(false);
    expect(sockets.map((s) => set.has(s))).to.deep.equal([false, true, true, false, true, true]);
    const walked = [...set];
    expect(walked).to.have.length(4);
    for (const i of [1, 2, 4, 5]) expect(walked.includes(sockets[i]!), `socket ${i}`).to.equal(true);
    const seen: Socket[] = [];
    for (const s of set) {
      seen.push(s);
      set.delete(s);
    }
    expect(seen).to.have.length(4);
    expect(set.size).to.equal(0);
    set.add(sockets[0]!);
    expect([...set].length === 1 && [...set][0] === sockets[0]).to.equal(true);
  });

  it('track and untrack keep the thread\'s set', () => {
    const set = new OpenConnections();
    const s = fakeSocket();
    track(set, s, kind(0, false));
    expect(set.has(s)).to.equal(true);
    untrack(set, s);
    expect(set.size).to.equal(0);
  });

  it('at a stop: a connection holding no request is closed once its grace has passed, never one holding a request', () => {
    const set = new OpenConnections();
    const silentUwsgi = fakeSocket();
    const silentHttp = fakeSocket();
    const busyUwsgi = fakeSocket();
    const busyHttp = fakeSocket();
    track(set, silentUwsgi, kind(0, false));
    track(set, silentHttp, kind(1000, false));
    track(set, busyUwsgi, kind(0, true));
    track(set, busyHttp, kind(1000, true));
    closeHoldingNoRequest(set, 0);
    expect([silentUwsgi, silentHttp, busyUwsgi, busyHttp].map((s) => s.destroyedByRule)).to.deep.equal([true, false, false, false]);
    closeHoldingNoRequest(set, 999);
    expect(silentHttp.destroyedByRule).to.equal(false);
    closeHoldingNoRequest(set, 1000);
    expect([silentUwsgi, silentHttp, busyUwsgi, busyHttp].map((s) => s.destroyedByRule)).to.deep.equal([true, true, false, false]);
  });

  it('the client-gone line: info level, the URI, the reason, and the details given', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(c: Buffer, _e, done) { lines.push(JSON.parse(c.toString()) as Record<string, unknown>); done(); } });
    const ctx = { log: pino({ base: null, timestamp: false }, sink) } as unknown as ServeContext;
    logClientGone(ctx, '/a', 'body', { missing: 5 });
    logClientGone(ctx, '/b', 'reset', { code: 'EPIPE' });
    logClientGone(ctx, undefined, 'response');
    expect(lines).to.deep.equal([
      { level: 30, event: 'client-gone', uri: '/a', missing: 5, msg: 'connection closed before the request body was complete' },
      { level: 30, event: 'client-gone', uri: '/b', code: 'EPIPE', msg: 'connection closed by the peer' },
      { level: 30, event: 'client-gone', msg: 'connection closed before the response was complete' },
    ]);
  });
});
