import { expect } from 'chai';
import * as table from '../../../src/emperor/vassal-table';
import type { Effect, FileSignature, Vassal } from '../../../src/emperor/vassal-table';
import { LOYAL_AFTER_MS } from '../../../src/emperor/throttle';

const sig = (mtimeMs = 1): FileSignature => ({ mtimeMs, ino: 7, size: 10, uid: 0, gid: 0, mode: 0o100644 });
const ok = { ok: true as const, runAs: undefined };
const policy = { throttleMs: 1000, maxThrottleMs: 2500 };

/** The effects without their log lines, and the log events, separately. */
function kinds(effects: readonly Effect[]): { acts: unknown[]; logs: string[] } {
  return {
    acts: effects.filter((e) => e.kind !== 'log').map((e) => (e.kind === 'signal' ? `signal ${e.signal}` : e.kind === 'wake' ? `wake ${e.inMs}` : e.kind)),
    logs: effects.flatMap((e) => (e.kind === 'log' ? [e.event] : [])),
  };
}

function running(now = 0): Vassal {
  const { vassal } = table.newVassal('/v/app.ini', 'app.ini', sig(), ok);
  table.started(vassal, 100, now);
  table.notified(vassal, 'ready', '1 worker(s) accepting', now + 500);
  return vassal;
}

describe('emperor/vassal-table (the transitions)', () => {
  it('a new file starts; a refused one is not started and says why', () => {
    const made = table.newVassal('/v/a.ini', 'a.ini', sig(), ok);
    expect(kinds(made.effects).acts).to.deep.equal(['spawn']);
    const refused = table.newVassal('/v/b.ini', 'b.ini', sig(), { ok: false, why: 'is a symlink' });
    expect(refused.vassal.state).to.equal('refused');
    expect(refused.vassal.why).to.equal('is a symlink');
    expect(kinds(refused.effects)).to.deep.equal({ acts: [], logs: ['vassal-refused'] });
  });

  it('loading → running on READY=1; RELOADING=1 → reloading → READY=1 → running; STOPPING=1 → stopping', () => {
    const { vassal: v } = table.newVassal('/v/a.ini', 'a.ini', sig(), ok);
    table.started(v, 42, 0);
    expect([v.state, v.pid, v.starts]).to.deep.equal(['loading', 42, 1]);
    expect(kinds(table.notified(v, 'ready', 'up', 10)).logs).to.deep.equal(['vassal-ready']);
    expect([v.state, v.status, v.readyAt]).to.deep.equal(['running', 'up', 10]);
    table.notified(v, 'reloading', 'graceful reload', 20);
    expect(v.state).to.equal('reloading');
    expect(kinds(table.notified(v, 'ready', 'up (reloaded)', 30)).logs).to.deep.equal(['vassal-reloaded']);
    expect([v.state, v.readyAt]).to.deep.equal(['running', 10]);
    table.notified(v, 'stopping', undefined, 40);
    expect(v.state).to.equal('stopping');
  });

  it('a touched file reloads a running vassal (SIGHUP); a change that needs a restart, or a new owner, restarts it', () => {
    const v = running();
    expect(kinds(table.fileChanged(v, sig(2), ok, [], 1000)).acts).to.deep.equal(['signal SIGHUP']);
    expect(v.state).to.equal('reloading');
    table.notified(v, 'ready', undefined, 1100);
    const restart = table.fileChanged(v, sig(3), ok, ['socket'], 2000);
    expect(kinds(restart)).to.deep.equal({ acts: ['signal SIGTERM'], logs: ['vassal-restart'] });
    expect(kinds(table.exited(v, { code: 0, signal: null, at: 2500 }, policy, false)).acts).to.deep.equal(['spawn']);
    const w = running();
    expect(kinds(table.fileChanged(w, sig(2), { ok: true, runAs: { uid: 1000, gid: 1000 } }, [], 1000)).acts).to.deep.equal(['signal SIGTERM']);
    expect(w.runAs).to.deep.equal({ uid: 1000, gid: 1000 });
  });

  it('a change during a reload (or before the first READY) waits: one more SIGHUP when READY comes', () => {
    const v = running();
    table.fileChanged(v, sig(2), ok, [], 1000);
    expect(kinds(table.fileChanged(v, sig(3), ok, [], 1050)).acts).to.deep.equal([]);
    expect(v.reloadAgain).to.equal(true);
    expect(kinds(table.notified(v, 'ready', undefined, 1300)).acts).to.deep.equal(['signal SIGHUP']);
    expect([v.state, v.reloadAgain]).to.deep.equal(['reloading', false]);
  });

  it('a SIGHUP the vassal never confirms (it could not read its new file) is given up after RELOAD_CONFIRM_MS', () => {
    const v = running();
    table.fileChanged(v, sig(2), ok, [], 1000);
    expect(table.checkReload(v, 1000 + table.RELOAD_CONFIRM_MS - 1)).to.deep.equal([]);
    expect(kinds(table.checkReload(v, 1000 + table.RELOAD_CONFIRM_MS)).logs).to.deep.equal(['vassal-reload-refused']);
    expect(v.state).to.equal('running');
    const w = running();
    table.fileChanged(w, sig(2), ok, [], 1000);
    table.notified(w, 'reloading', undefined, 1100);
    expect(table.checkReload(w, 1e9)).to.deep.equal([]);
  });

  it('a removed file stops the vassal gracefully, and it is forgotten once it exits (not respawned)', () => {
    const v = running();
    expect(kinds(table.fileRemoved(v))).to.deep.equal({ acts: ['signal SIGTERM'], logs: ['vassal-stopping'] });
    expect(v.state).to.equal('stopping');
    expect(kinds(table.exited(v, { code: 0, signal: null, at: 10 }, policy, false)).acts).to.deep.equal(['forget']);
  });

  it('a death before serving is throttled, 1x, 2x ... the throttle up to the max; from the second in a row it is "failed"', () => {
    const { vassal: v } = table.newVassal('/v/a.ini', 'a.ini', sig(), ok);
    const states: string[] = [];
    const waits: unknown[] = [];
    let now = 0;
    let exitAt = 0;
    for (let i = 0; i < 4; i++) {
      table.started(v, 10 + i, now);
      exitAt = now + 300;
      const effects = table.exited(v, { code: 4, signal: null, at: exitAt }, policy, false);
      states.push(v.state);
      waits.push(kinds(effects).acts);
      now = v.nextStartAt as number;
      expect(table.due(v, now - 1)).to.deep.equal([]);
      expect(kinds(table.due(v, now)).acts).to.deep.equal(['spawn']);
    }
    expect(states).to.deep.equal(['throttled', 'failed', 'failed', 'failed']);
    expect(waits).to.deep.equal([['wake 1000'], ['wake 2000'], ['wake 2500'], ['wake 2500']]);
    expect(v.lastExit).to.deep.equal({ code: 4, signal: null, at: exitAt });
    expect(v.starts).to.equal(4);
  });

  it('a loyal vassal that dies is started again at once, its strikes cleared', () => {
    const v = running(0);
    v.strikes = 3;
    expect(kinds(table.exited(v, { code: null, signal: 'SIGKILL', at: 500 + LOYAL_AFTER_MS }, policy, false)).acts).to.deep.equal(['spawn']);
    expect(v.strikes).to.equal(0);
  });

  it('a file that changes while the vassal waits (throttled, failed, refused) starts it at once, strikes cleared', () => {
    const { vassal: v } = table.newVassal('/v/a.ini', 'a.ini', sig(), ok);
    table.started(v, 1, 0);
    table.exited(v, { code: 4, signal: null, at: 10 }, policy, false);
    table.started(v, 2, 1010);
    table.exited(v, { code: 4, signal: null, at: 1020 }, policy, false);
    expect([v.state, v.strikes]).to.deep.equal(['failed', 2]);
    expect(kinds(table.fileChanged(v, sig(2), ok, [], 1100)).acts).to.deep.equal(['spawn']);
    expect(v.strikes).to.equal(0);
  });

  it('a running vassal whose file becomes refused is stopped and stays refused', () => {
    const v = running();
    expect(kinds(table.fileChanged(v, sig(2), { ok: false, why: 'is group- or world-writable' }, [], 10)).acts).to.deep.equal(['signal SIGTERM']);
    table.exited(v, { code: 0, signal: null, at: 20 }, policy, false);
    expect([v.state, v.why]).to.deep.equal(['refused', 'is group- or world-writable']);
  });

  it('while the Emperor stops, an exit is final', () => {
    const v = running();
    expect(kinds(table.exited(v, { code: 0, signal: null, at: 5 }, policy, true)).acts).to.deep.equal(['forget']);
  });
});
