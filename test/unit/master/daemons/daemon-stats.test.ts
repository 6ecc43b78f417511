import { expect } from 'chai';
import { parseAttachDaemon, parseSmartAttachDaemon } from '../../../../src/config/daemon-spec';
import type { DaemonSpec } from '../../../../src/shared/config';
import { DaemonTable } from '../../../../src/master/daemons/daemon-table';
import { daemonStats } from '../../../../src/master/daemons/daemon-stats';
import { buildStatsDocument } from '../../../../src/master/stats/document';
import { renderPrometheus } from '../../../../src/master/stats/prometheus';
import { parsePrometheus, promValue } from '../../../support/prometheus';
import { master, sockets, worker } from '../stats/fixtures';

const NOW = 1_700_000_000_000;

function spec(parsed: { value: DaemonSpec } | { problem: string }): DaemonSpec {
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.value;
}

function table(): DaemonTable {
  const t = new DaemonTable();
  Object.assign(t.add(spec(parseAttachDaemon('node "q.js"')), 1, 0, NOW), { pid: 10, child: 10, starts: 3, startAt: undefined });
  Object.assign(t.add(spec(parseAttachDaemon('false')), 2, 0, NOW), { starts: 5, startAt: NOW + 4000, lastExit: { code: 1, signal: null, at: NOW - 100 } });
  Object.assign(t.add(spec(parseSmartAttachDaemon('/run/r.pid redis-server', '/')), 3, 0, NOW), { pid: 77, watched: true });
  // A reload's predecessor of daemon 1, still stopping.
  Object.assign(t.add(spec(parseAttachDaemon('node "q.js"')), 1, 0, NOW), { pid: 9, child: 9, starts: 1, startAt: undefined, stopping: { at: NOW, mercyMs: 1, killed: false } });
  return t;
}

describe('master/daemons/daemon-stats: the daemons in the stats document and Prometheus', () => {
  it('the document has uWSGI\'s daemons array (cmd, pid, respawns) and tsuwsgi\'s state', () => {
    const doc = buildStatsDocument(master, sockets, [worker()], daemonStats(table().all(), NOW));
    expect(doc.daemons?.map((d) => [d.id, d.cmd, d.pid, d.respawns, d.state, d.smart, d.next_start_in_ms])).to.deep.equal([
      [1, 'node "q.js"', 10, 3, 'running', 0, 0],
      [1, 'node "q.js"', 9, 1, 'stopping', 0, 0],
      [2, 'false', 0, 5, 'throttled', 0, 4000],
      [3, 'redis-server', 77, 0, 'running', 1, 0],
    ]);
    expect(doc.daemons?.[2].last_exit).to.deep.equal({ code: 1, signal: null, at: Math.floor((NOW - 100) / 1000) });
    expect(JSON.parse(JSON.stringify(doc)).daemons).to.have.length(4);
  });

  it('no daemons: no daemons key, as in uWSGI', () => {
    expect(buildStatsDocument(master, sockets, [worker()], [])).to.not.have.property('daemons');
  });

  it('Prometheus: up and starts per daemon id, one series per id during a reload, labels escaped', () => {
    const f = parsePrometheus(renderPrometheus(master, sockets, [worker()], daemonStats(table().all(), NOW)));
    expect(promValue(f, 'tsuwsgi_daemon_up', { daemon: '1', cmd: 'node "q.js"' })).to.equal(1);
    expect(promValue(f, 'tsuwsgi_daemon_starts_total', { daemon: '1', cmd: 'node "q.js"' })).to.equal(3);
    expect(promValue(f, 'tsuwsgi_daemon_up', { daemon: '2', cmd: 'false' })).to.equal(0);
    expect(promValue(f, 'tsuwsgi_daemon_up', { daemon: '3', cmd: 'redis-server' })).to.equal(1);
  });
});
