/**
 * Cron lines in the master's reconcile loop, on MasterSim's clock: a job runs when its minute
 * comes (the wake-up time says when), never overlaps with itself (a still-running run makes
 * the tick skip, logged), and a stop ends a run in progress (SIGTERM, then SIGKILL past
 * worker-reload-mercy) before the master exits.
 */
import { expect } from 'chai';
import { MasterSim } from '../master-sim';

const EVERY_MINUTE = { schedule: '* * * * *', command: 'echo hi' };
/** MasterSim's clock starts at 1 000 000 ms: 00:16:40, so the next minute is 20 s away. */
const TO_NEXT_MINUTE = 20_000;

function sim(over = {}): MasterSim {
  return MasterSim.running({ processes: 1, cron: [EVERY_MINUTE], ...over });
}

describe('master/cron: cron lines in the reconcile loop', () => {
  it('wakes up at the next minute and runs the job then, not before', () => {
    const s = sim();
    expect(s.wakeAt).to.equal(s.now + TO_NEXT_MINUTE);
    expect(s.advance(TO_NEXT_MINUTE - 1)).to.deep.equal([]);
    expect(s.advance(1)).to.deep.equal(['cron-run 1']);
    expect(s.wakeAt).to.equal(s.now + 60_000);
  });

  it('a run still going when the next minute comes makes that one skip, with a line; the one after runs', () => {
    const s = sim();
    s.advance(TO_NEXT_MINUTE);
    expect(s.advance(60_000)).to.deep.equal(['cron-skip 1']);
    expect(s.companions.crons.get(1)).to.include({ runs: 1, skips: 1 });
    s.cronExit(1, 0);
    expect(s.events('cron-finished')[0]).to.include({ level: 'info', code: 0, durationMs: 60_000 });
    expect(s.advance(60_000)).to.deep.equal(['cron-run 1']);
  });

  it('-5: every five minutes on the clock, through the table', () => {
    const s = sim({ cron: [{ schedule: '-5 -1 -1 -1 -1', command: 'x' }] });
    // 00:16:40 → 00:20:00
    expect(s.wakeAt).to.equal(1_200_000);
    s.advance(1_200_000 - s.now);
    s.cronExit(1);
    expect(s.wakeAt).to.equal(1_500_000);
  });

  it('a failed run is counted and logged as a warning', () => {
    const s = sim();
    s.advance(TO_NEXT_MINUTE);
    s.cronExit(1, 3);
    expect(s.companions.crons.get(1)?.failures).to.equal(1);
    expect(s.events('cron-finished')[0]).to.include({ level: 'warn', code: 3 });
  });

  it('a graceful stop sends a run in progress SIGTERM, kills it past the mercy, and exits only after it', () => {
    const s = sim({ workerReloadMercy: 10 });
    s.advance(TO_NEXT_MINUTE);
    expect(s.signal('SIGTERM')).to.include('cron-stop 1');
    s.retiredExit();
    expect(s.exited).to.equal(false);
    expect(s.advance(10_000)).to.deep.equal(['cron-kill 1']);
    expect(s.cronExit(1, null, 'SIGKILL')).to.deep.equal(['exit']);
  });

  it('no new run while stopping', () => {
    const s = sim({ workerReloadMercy: 600 });
    s.signal('SIGTERM');
    expect(s.advance(TO_NEXT_MINUTE)).to.deep.equal([]);
  });

  it('halting kills a run at once', () => {
    const s = sim();
    s.advance(TO_NEXT_MINUTE);
    expect(s.signal('SIGINT')).to.include('cron-kill 1');
  });
});
