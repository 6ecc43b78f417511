import { expect } from 'chai';
import type { Logger } from '../../../src/shared/logger';
import { REPORT_WAIT_MS, WorkerReport } from '../../../src/master/worker-report';
import { WorkerTable } from '../../../src/master/worker-table';
import { DaemonTable } from '../../../src/master/daemons/daemon-table';
import { parseAttachDaemon } from '../../../src/config/daemon-spec';

function setup(daemons = new DaemonTable()): { table: WorkerTable; lines: Record<string, unknown>[]; asked: number[]; deadlines: { ms: number; round: number }[]; report: WorkerReport } {
  const table = new WorkerTable();
  for (const id of [2, 1]) Object.assign(table.add({ id, generation: 0, role: 'active' }), { pid: 100 + id, ready: true, spawnedAt: Date.now() });
  const lines: Record<string, unknown>[] = [];
  const log = { info: (o: Record<string, unknown>, msg: string) => lines.push({ ...o, msg }) } as unknown as Logger;
  const asked: number[] = [];
  const deadlines: { ms: number; round: number }[] = [];
  const report = new WorkerReport(table, daemons, log, (key) => (asked.push(key), true), (ms, round) => (deadlines.push({ ms, round }), () => undefined));
  return { table, lines, asked, deadlines, report };
}

const answer = (key: number, pid: number, current?: { request: string; ms: number }) =>
  ({ kind: 'worker-report' as const, key, pid, rssBytes: 1024, threads: [{ thread: 0, answered: true, running: true, requests: 3, current }] });

describe('master/worker-report: SIGUSR1 asks every worker, one line each', () => {
  it('writes one line per worker, by id, once all answered; a second request meanwhile is the same report', () => {
    const { table, lines, asked, deadlines, report } = setup();
    report.start();
    report.start();
    expect(asked).to.have.length(2);
    expect(deadlines).to.deep.equal([{ ms: REPORT_WAIT_MS, round: 1 }]);
    const [one, two] = table.all();
    report.answer(answer(two.key, 102, { request: 'GET /slow', ms: 40 }));
    expect(lines).to.deep.equal([]);
    report.answer(answer(one.key, 101));
    expect(lines.map((l) => [l.worker, l.workerPid, l.status, l.workerRole])).to.deep.equal([[1, 101, 'idle', 'active'], [2, 102, 'busy', 'active']]);
    expect(lines[1].msg).to.equal('worker 2 (pid 102) busy; GET /slow running 40 ms');
  });

  it('at the deadline, a worker that did not answer is "no answer"; a stale process\'s answer is ignored', () => {
    const { table, lines, report } = setup();
    report.start();
    const [one, two] = table.all();
    report.answer(answer(two.key, 999));
    report.answer(answer(one.key, 101));
    report.expire(1);
    expect(lines.map((l) => l.status)).to.deep.equal(['idle', 'no answer']);
  });

  it('a row with no thread on it (threads-min, retired) is not a thread that fails to answer', () => {
    const { table, lines, report } = setup();
    report.start();
    const [one, two] = table.all();
    report.answer({ kind: 'worker-report', key: one.key, pid: 101, rssBytes: 1, threads: [{ thread: 0, answered: true, running: true, requests: 1 }, { thread: 1, answered: false, running: false, requests: 0 }] });
    report.answer({ kind: 'worker-report', key: two.key, pid: 102, rssBytes: 1, threads: [{ thread: 0, answered: false, running: true, requests: 1 }, { thread: 1, answered: false, running: false }] });
    expect(lines.map((l) => [l.status, l.notAnswering, l.threadsRunning])).to.deep.equal([['idle', [], 1], ['busy', [0], 1]]);
  });

  it('after the workers, one line per attached daemon: state, pid, starts, last exit', () => {
    const daemons = new DaemonTable();
    const parsed = parseAttachDaemon('node consumer.js');
    if ('problem' in parsed) throw new Error(parsed.problem);
    const d = daemons.add(parsed.value, 1, 0, Date.now());
    Object.assign(d, { pid: 4321, child: 4321, starts: 2, startAt: undefined, lastExit: { code: null, signal: 'SIGKILL', at: Date.now() } });
    const { table, lines, report } = setup(daemons);
    report.start();
    for (const w of table.all()) report.answer(answer(w.key, w.pid as number));
    expect(lines.map((l) => l.msg)).to.deep.equal([
      'worker 1 (pid 101) idle', 'worker 2 (pid 102) idle', 'daemon 1 (pid 4321) running, 2 start(s), last exit SIGKILL: node consumer.js',
    ]);
    expect(lines[2]).to.deep.include({ event: 'daemon-state', daemon: 1, daemonPid: 4321, state: 'running', starts: 2 });
  });
});
