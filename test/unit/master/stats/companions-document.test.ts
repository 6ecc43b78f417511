/**
 * Mules and cron jobs in the stats document (uWSGI's "mules" keys kept), the Prometheus text
 * and `tsuwsgi top`, from a master's tables.
 */
import { expect } from 'chai';
import { buildStatsDocument } from '../../../../src/master/stats/document';
import { companionsView } from '../../../../src/master/stats/companions-document';
import { renderPrometheus } from '../../../../src/master/stats/prometheus';
import { renderScreen } from '../../../../src/cli/top/screen';
import { MuleTable } from '../../../../src/master/mules/mule-table';
import { CronTable } from '../../../../src/master/cron/cron-table';
import { cronClock } from '../../../../src/shared/cron/clock';
import { master, sockets } from './fixtures';
import { parsePrometheus } from '../../../support/prometheus';

const NOW = 1_700_000_000_000;
const TARGETS = [
  { appFile: '/srv/consumer.js', appPackage: undefined, callable: undefined },
  { appFile: undefined, appPackage: 'my-scheduler', callable: 'run' },
];

function tables(): { mules: MuleTable; crons: CronTable } {
  const mules = new MuleTable();
  const up = mules.add(1, 0);
  Object.assign(up, { pid: 500, ready: true, spawnedAt: NOW - 5000 });
  mules.countSpawn(1);
  mules.countSpawn(1);
  const box = mules.mailbox(1);
  for (const p of ['1', '2', '3']) box.accept(p, 100);
  box.take(2);
  box.taken();
  box.done();
  mules.add(2, 0).respawnAt = NOW + 1000;
  const crons = new CronTable([{ schedule: '*/5 * * * *', command: 'curl -u admin:secret http://x/purge' }], cronClock({}), NOW);
  const job = crons.get(1);
  if (job === undefined) throw new Error('no job');
  Object.assign(job, { pid: 600, runs: 3, skips: 1, failures: 1, lastExit: { code: 2, signal: null, durationMs: 10, at: NOW - 60_000 } });
  return { mules, crons };
}

describe('master/stats: mules and cron jobs', () => {
  const view = companionsView(tables(), TARGETS, () => ({ rssBytes: 7 << 20, vszBytes: 9 << 20 }));

  it('the mules array keeps uWSGI\'s keys and adds status, queue, messages, lost', () => {
    expect(view.mules).to.have.length(2);
    expect(view.mules[0]).to.deep.include({ id: 1, pid: 500, signals: 0, signal_queue: 0, status: 'busy', module: '/srv/consumer.js', respawn_count: 2, queue: 1, in_hand: 1, messages: 1, lost: 0, rss: 7 << 20 });
    expect(view.mules[1]).to.deep.include({ id: 2, pid: 0, status: 'down', module: 'my-scheduler:run', rss: 0 });
  });

  it('the crons array: schedule, run in progress, counts, last exit, next run; never the command', () => {
    expect(view.crons[0]).to.deep.include({ id: 1, schedule: '*/5 * * * *', pid: 600, runs: 3, skips: 1, failures: 1, last_exit: 2 });
    expect(view.crons[0].next_run).to.be.greaterThan(NOW / 1000);
    const doc = buildStatsDocument(master, sockets, [], [], view);
    expect(JSON.stringify(doc)).to.not.include('secret');
    expect(doc.mules).to.have.length(2);
  });

  it('Prometheus families per mule and per cron job', () => {
    const f = parsePrometheus(renderPrometheus(master, sockets, [], [], view));
    const values = (name: string): Record<string, number> =>
      Object.fromEntries((f.get(name)?.samples ?? []).map((x) => [Object.values(x.labels).join(','), x.value]));
    expect(values('tsuwsgi_mule_up')).to.deep.equal({ 1: 1, 2: 0 });
    expect(values('tsuwsgi_mule_queue')).to.deep.include({ 1: 2 });
    expect(values('tsuwsgi_mule_respawns_total')).to.deep.include({ 1: 1 });
    expect(values('tsuwsgi_cron_runs_total')).to.deep.equal({ 1: 3 });
    expect(values('tsuwsgi_cron_skips_total')).to.deep.equal({ 1: 1 });
    expect(values('tsuwsgi_cron_running')).to.deep.equal({ 1: 1 });
  });

  it('no families when there are no mules or cron jobs', () => {
    const text = renderPrometheus(master, sockets, []);
    expect(text).to.not.include('tsuwsgi_mule_');
    expect(text).to.not.include('tsuwsgi_cron_');
  });

  it('tsuwsgi top: a row per mule and per cron job', () => {
    const doc = buildStatsDocument(master, sockets, [], [], view);
    const lines = renderScreen({ doc, rates: { byPid: new Map(), byCore: new Map(), total: undefined }, sort: 'w', width: 200, now: NOW, live: false });
    expect(lines.find((l) => l.startsWith('MULE'))).to.match(/MULE\s+PID\s+STATUS\s+QUEUE\s+HANDLED\s+LOST\s+RS\s+MODULE/);
    expect(lines.find((l) => /^1\s+500\s+busy/.test(l))).to.match(/\s2\s+1\s+0\s+2\s+\/srv\/consumer\.js$/);
    expect(lines.find((l) => /^2\s+0\s+down/.test(l))).to.include('my-scheduler:run');
    expect(lines.find((l) => /^1\s+600\s+3\s+1\s+1\s+2\s/.test(l))).to.include('*/5 * * * *');
  });

  it('tsuwsgi top: a document whose mules carry only uWSGI\'s keys still shows them', () => {
    const doc = { ...buildStatsDocument(master, sockets, []), mules: [{ id: 1, pid: 77, signals: 0, signal_queue: 0 }] } as unknown as Parameters<typeof renderScreen>[0]['doc'];
    const lines = renderScreen({ doc, rates: { byPid: new Map(), byCore: new Map(), total: undefined }, sort: 'w', width: 200, now: NOW, live: false });
    expect(lines.find((l) => /^1\s+77\s/.test(l))).to.match(/^1\s+77\s+-\s+-\s+-\s+-\s+-$/);
  });
});
