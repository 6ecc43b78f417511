import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { phaseAt, totalSeconds, countsScript, parseCounts, parseDecisions, buildTimeline, summarizeTimeline, timelineTable } = benchLib('timeline');

const PLAN = { idleS: 2, loadS: 3, restS: 3, connections: 64 };
const E = 1_800_000_000; // the wall-clock second the timeline starts at
interface Sample { t: number; epoch: number; workers: number; pssKb: number | null; processes: number }
/** One sample per second of PLAN: workers[t], pss[t] (kB). */
const samples = (workers: number[], pss: Array<number | null>): Sample[] =>
  workers.map((w, t) => ({ t, epoch: E + t, workers: w, pssKb: pss[t], processes: w + 1 }));

describe('bench/timeline', () => {
  it('cuts the plan into idle, load and rest seconds', () => {
    expect(totalSeconds(PLAN)).to.equal(8);
    expect([...Array(8).keys()].map((t) => phaseAt(t, PLAN))).to.deep.equal(['idle', 'idle', 'load', 'load', 'load', 'rest', 'rest', 'rest']);
    expect(phaseAt(0, { idleS: 0, loadS: 1, restS: 0, connections: 1 })).to.equal('load');
  });

  it('counts answers and failures (status > 399) per wall-clock second in wrk, printed by done()', () => {
    const lua = countsScript();
    expect(lua).to.match(/function response\(status, headers, body\)/);
    expect(lua).to.contain('os.time()').and.contain('status > 399').and.contain('t:get("done_at")');
    expect(lua).to.contain('io.write(string.format("second %d %d %d\\n"');
  });

  it('parses the per-second lines, summing the threads of one second, ignoring the rest of the report', () => {
    const raw = ['Running 15s test @ http://x/', `second ${E + 3} 100 2`, `second ${E + 2} 50 0`, '  Latency 1ms', `second ${E + 3} 10 1`, 'second x 1 1'].join('\n');
    const c = parseCounts(raw);
    expect([...c.entries()].sort()).to.deep.equal([[E + 2, { done: 50, failed: 0 }], [E + 3, { done: 110, failed: 3 }]]);
    expect(parseCounts('').size).to.equal(0);
  });

  it('puts each second\'s answers on its sample, and the seconds past the samples on the last load second', () => {
    const counts = new Map([[E + 2, { done: 900, failed: 0 }], [E + 3, { done: 1000, failed: 1 }], [E + 4, { done: 1100, failed: 0 }], [E + 9, { done: 5, failed: 2 }]]);
    const rows = buildTimeline(samples([1, 1, 1, 2, 4, 4, 2, 1], [10, 10, 12, 20, 40, 40, 20, 12]), counts, PLAN);
    expect(rows.map((r: { phase: string; rps: number; failed: number }) => [r.phase, r.rps, r.failed])).to.deep.equal([
      ['idle', 0, 0], ['idle', 0, 0], ['load', 900, 0], ['load', 1000, 1], ['load', 1105, 2], ['rest', 0, 0], ['rest', 0, 0], ['rest', 0, 0],
    ]);
    expect(rows[3]).to.deep.include({ t: 3, epoch: E + 3, workers: 2, pssKb: 20 });
  });

  it('summarizes: requests, mean req/s over the load, failures with wrk\'s socket errors, the workers\' course and PSS', () => {
    const counts = new Map([[E + 2, { done: 900, failed: 0 }], [E + 3, { done: 1000, failed: 1 }], [E + 4, { done: 1100, failed: 0 }]]);
    const rows = buildTimeline(samples([1, 1, 1, 2, 4, 4, 1, 1], [10, 12, 12, 20, 40, 38, 15, 14]), counts, PLAN);
    expect(summarizeTimeline(rows, { socketErrors: 3, minWorkers: 1 })).to.deep.equal({
      requests: 3000, loadRps: 1000, failed: 4, non2xx: 1, socketErrors: 3,
      idleWorkers: 1, maxWorkers: 4, endWorkers: 1,
      scaledUpAfterS: 2, // the second load second ended with 2 workers
      backDownAfterS: 2, // rest second 1 (t = 6) is the first of the final stretch at 1
      startPssKb: 11, peakPssKb: 40, endPssKb: 20,
    });
  });

  it('has no scale-up and no way back when the count never left the minimum / never came back', () => {
    const up = summarizeTimeline(buildTimeline(samples([1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]), new Map(), PLAN), { socketErrors: 0, minWorkers: 1 });
    expect(up).to.deep.include({ scaledUpAfterS: null, backDownAfterS: 1, maxWorkers: 1, failed: 0, requests: 0, loadRps: 0 });
    const stuck = summarizeTimeline(buildTimeline(samples([1, 1, 2, 3, 4, 4, 3, 2], [1, 1, 1, 1, 1, 1, 1, null]), new Map(), PLAN), { socketErrors: 0, minWorkers: 1 });
    expect(stuck).to.deep.include({ scaledUpAfterS: 1, backDownAfterS: null, endWorkers: 2, endPssKb: 1 });
  });

  it('reads the cheaper\'s decisions from a tsuwsgi log among request lines and cut lines', () => {
    const log = [
      '{"level":30,"time":1800000003500,"role":"master","event":"cheaper","algo":"spare","from":1,"to":2,"reason":"all 1 worker(s) busy for 3 s","msg":"…"}',
      '{"level":30,"time":1800000003600,"event":"request","msg":"GET / => 200"}',
      '[pid: 1|app: 0] 127.0.0.1 GET / => generated 12 bytes "event":"cheaper"',
      '{"level":30,"time":1800000006100,"event":"cheaper","from":2,"to":1,"reason":"2 of 2 worker(s) idle for 3 s"}',
      '{"level":30,"time":1800000007000,"event":"cheaper","fr',
    ].join('\n');
    expect(parseDecisions(log)).to.deep.equal([
      { atMs: 1800000003500, from: 1, to: 2, reason: 'all 1 worker(s) busy for 3 s' },
      { atMs: 1800000006100, from: 2, to: 1, reason: '2 of 2 worker(s) idle for 3 s' },
    ]);
    expect(parseDecisions('')).to.deep.equal([]);
  });

  it('shows each decision in the second it was logged', () => {
    const d = [{ atMs: (E + 3) * 1000 + 500, from: 1, to: 2, reason: 'r' }, { atMs: (E + 3) * 1000 + 900, from: 2, to: 3, reason: 'r' }, { atMs: (E + 6) * 1000, from: 3, to: 2, reason: 'r' }];
    const rows = buildTimeline(samples([1, 1, 1, 2, 3, 3, 2, 2], Array(8).fill(1)), new Map(), PLAN, d);
    expect(rows.map((r: { decisions: string }) => r.decisions)).to.deep.equal(['', '', '', '1->2 2->3', '', '', '3->2', '']);
  });

  it('prints one line a second: t, phase, workers, req/s, failed, PSS MiB, the cheaper\'s decisions', () => {
    const rows = buildTimeline(samples([1, 1, 1, 2, 4, 4, 1, 1], [10240, 10240, 20480, 20480, 40960, 40960, 15360, null]), new Map([[E + 2, { done: 900, failed: 1 }]]), PLAN,
      [{ atMs: (E + 3) * 1000, from: 1, to: 2, reason: 'r' }]);
    const out = timelineTable(rows).split('\n');
    expect(out[0].split(/\s+/).filter(Boolean)).to.deep.equal(['t', 's', 'phase', 'workers', 'req/s', 'failed', 'PSS', 'MiB', 'cheaper']);
    expect(out[5].trim().split(/\s+/)).to.deep.equal(['3', 'load', '2', '0', '0', '20.0', '1->2']);
    expect(out).to.have.length(2 + 8);
    expect(out[4].trim().split(/\s+/)).to.deep.equal(['2', 'load', '1', '900', '1', '20.0']);
    expect(out[9].trim().split(/\s+/)).to.deep.equal(['7', 'rest', '1', '0', '0', '-']);
  });
});
