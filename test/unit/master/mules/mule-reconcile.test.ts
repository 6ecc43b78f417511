/**
 * Mules in the master's reconcile loop, driven through the real handlers with MasterSim: start,
 * deliveries within the window, a death (throttled respawn, the message in hand lost, the rest
 * kept), a reload (stop, then the new generation: never two of one id), stop and halt (the
 * master exits only once the mules are gone), and mules.send's answers.
 */
import { expect } from 'chai';
import { MasterSim } from '../master-sim';
import { MULE_WINDOW } from '../../../../src/master/mules/mailbox';

const TARGET = { appFile: '/srv/mule.js', appPackage: undefined, callable: undefined };

function sim(mules = 1, over = {}): MasterSim {
  const s = MasterSim.running({ processes: 1, mules: Array.from({ length: mules }, () => TARGET), ...over });
  for (let id = 1; id <= mules; id++) s.muleReady(id);
  return s;
}

describe('master/mules: mules in the reconcile loop', () => {
  it('boot starts one mule per mule line, in the current generation', () => {
    const s = new MasterSim({ processes: 1, mules: [TARGET, TARGET] });
    expect(s.boot()).to.include.members(['mule-spawn 1 g0', 'mule-spawn 2 g0']);
    expect(s.companions.mules.all().map((m) => m.pid !== undefined)).to.deep.equal([true, true]);
  });

  it('a message sent before the mule is ready waits, then goes at ready; the sender is answered at once', () => {
    const s = MasterSim.running({ processes: 1, mules: [TARGET] });
    expect(s.sendToMule(1, '"early"', 7)).to.deep.equal([]);
    expect(s.muleAnswers).to.deep.equal([{ to: { worker: s.worker(1).key, thread: 0 }, ack: { seq: 7 } }]);
    expect(s.muleReady(1)).to.deep.equal(['mule-deliver 1 x1']);
    expect(s.muleSent).to.deep.equal([{ mule: 1, payload: '"early"' }]);
  });

  it('at most the window is in the mule\'s hands; each done lets one more go', () => {
    const s = sim();
    for (let i = 0; i < MULE_WINDOW + 2; i++) s.sendToMule(1, String(i), i);
    expect(s.muleSent).to.have.length(MULE_WINDOW);
    expect(s.muleDone(1)).to.deep.equal(['mule-deliver 1 x1']);
    expect(s.muleSent.map((m) => m.payload).at(-1)).to.equal(String(MULE_WINDOW));
  });

  it('refuses: an unknown mule, a message above mule-msg-size, a full queue (logged once per burst)', () => {
    const s = sim(1, { muleQueue: 2, muleMsgSize: 16 });
    s.sendToMule(2, '1', 1);
    s.sendToMule(1, JSON.stringify('x'.repeat(20)), 2);
    s.sendToMule(1, '1', 3);
    s.sendToMule(1, '2', 4);
    s.sendToMule(1, '3', 5);
    expect(s.muleAnswers.map((a) => a.ack.code)).to.deep.equal(['E_MULE_UNKNOWN', 'E_MULE_MESSAGE', undefined, undefined, 'E_MULE_QUEUE_FULL']);
    expect(s.muleAnswers[0].ack.message).to.contain('mules are 1..1');
    expect(s.events('mule-queue-full')).to.have.length(1);
  });

  it('a message from a worker process that is gone is dropped without an answer', () => {
    const s = sim();
    const w = s.worker(1);
    s.post({ kind: 'mule-msg', from: { worker: w.key, thread: 0 }, pid: 99_999, seq: 1, mule: 1, payload: '1' });
    expect(s.muleAnswers).to.deep.equal([]);
    expect(s.companions.mules.mailbox(1).accepted).to.equal(0);
  });

  it('a mule can send to another mule; the answer goes back to the mule', () => {
    const s = sim(2);
    const m1 = s.mule(1);
    s.post({ kind: 'mule-msg', from: { mule: m1.key }, pid: m1.pid as number, seq: 4, mule: 2, payload: '"hi"' });
    expect(s.muleAnswers).to.deep.equal([{ to: { mule: m1.key }, ack: { seq: 4 } }]);
    expect(s.muleSent).to.deep.equal([{ mule: 2, payload: '"hi"' }]);
  });

  it('a mule that dies is started again, throttled when it dies young; the message in hand is lost, the rest kept', () => {
    const s = sim();
    for (const p of ['"a"', '"b"', '"c"']) s.sendToMule(1, p);
    s.muleDone(1);
    s.muleTake(1); // a handled, b in hand, c not started
    s.now += 10_000;
    expect(s.muleExit(s.mule(1), 1)).to.deep.equal(['mule-respawn 1']);
    expect(s.events('mule-exited')[0]).to.include({ level: 'warn', code: 1, lostMessages: 1 });
    expect(s.muleReady(1)).to.deep.equal(['mule-deliver 1 x1']);
    expect(s.muleSent.map((m) => m.payload)).to.deep.equal(['"a"', '"b"', '"c"', '"c"']);
    // Dies young now: the next start waits.
    expect(s.muleExit(s.mule(1), 1)).to.deep.equal([]);
    expect(s.events('mule-respawn-throttled')[0]).to.include({ delayMs: 250 });
    expect(s.advance(250)).to.deep.equal(['mule-respawn 1']);
  });

  it('a reload stops each mule and starts its successor only once it has exited', () => {
    const s = sim();
    s.sendToMule(1, '"a"');
    s.sendToMule(1, '"b"');
    s.muleDone(1);
    s.muleTake(1); // a handled; b in hand
    const old = s.mule(1);
    expect(s.command('r')).to.include('mule-retire 1');
    s.sendToMule(1, '"c"');
    expect(s.companions.mules.all()).to.have.length(1);
    // Finishes b (a graceful stop does), exits 0: nothing is lost, c waits for the next.
    s.muleDone(1, true);
    expect(s.muleExit(old, 0)).to.include('mule-spawn 1 g1');
    expect(s.events('mule-exited')[0]).to.include({ level: 'info', code: 0 });
    expect(s.muleReady(1)).to.deep.equal(['mule-deliver 1 x1']);
    expect(s.muleSent.map((m) => m.payload)).to.deep.equal(['"a"', '"b"', '"c"']);
  });

  it('a stopping mule that outlives worker-reload-mercy is killed', () => {
    const s = sim(1, { workerReloadMercy: 5 });
    s.command('r');
    expect(s.advance(5_000)).to.include('mule-kill 1 (mercy)');
  });

  it('a graceful stop keeps the mules until the workers are gone, then stops them; the master exits after them', () => {
    const s = sim();
    s.signal('SIGTERM');
    expect(s.mule(1).retiring).to.equal(false);
    s.sendToMule(1, '"while draining"');
    expect(s.muleAnswers.at(-1)?.ack.code).to.equal(undefined);
    expect(s.retiredExit()).to.include('mule-retire 1');
    const m = s.mule(1, true);
    s.post({ kind: 'mule-msg', from: { mule: m.key }, pid: m.pid as number, seq: 2, mule: 1, payload: '"too late"' });
    expect(s.muleAnswers.at(-1)?.ack.code).to.equal('E_MULE_UNAVAILABLE');
    expect(s.exited).to.equal(false);
    expect(s.muleExit(s.mule(1, true), 0)).to.deep.equal(['mule-discard 1', 'exit']);
  });

  it('halting kills the mules with the workers', () => {
    const s = sim(2);
    const acts = s.signal('SIGINT');
    expect(acts).to.include.members(['mule-kill 1 (halt)', 'mule-kill 2 (halt)']);
  });

  it('a mule whose fork fails is retried, throttled, with one line per attempt', () => {
    const s = sim();
    const r = s.mule(1);
    s.now += 10_000;
    s.muleExit(r, 1);
    const again = s.mule(1);
    s.post({ kind: 'mule-spawn-failed', key: again.key, code: 'ENOENT', message: 'chdir /srv does not exist' });
    // The respawn above set a pid in the sim; a failed fork leaves none.
    expect(s.events('mule-spawn-failed')).to.have.length(0);
    again.pid = undefined;
    s.post({ kind: 'mule-spawn-failed', key: again.key, code: 'ENOENT', message: 'chdir /srv does not exist' });
    expect(s.events('mule-spawn-failed')[0]).to.include({ attempt: 1, delayMs: 250 });
    expect(s.advance(250)).to.deep.equal(['mule-respawn 1']);
  });

  it('fewer mule lines after a reload: the extra mule stops and is not replaced', () => {
    const s = sim(2);
    s.reread = { ...s.wanted.config, mules: [TARGET] };
    const acts = s.command('r');
    expect(acts).to.include.members(['mule-retire 1', 'mule-retire 2']);
    const m2 = s.mule(2, true);
    expect(s.muleExit(m2, 0)).to.deep.equal(['mule-discard 2']);
  });
});
