/**
 * deploy/nginx/multi-host.conf, run for real: two hosts (network namespaces with their own
 * addresses), one tsuwsgi on TCP in each, and the shipped nginx config in front in a third
 * namespace. Under a client loop, one host's master is SIGKILLed and started again, and the
 * other is reloaded gracefully; nginx's retries must hide all of it from the client.
 */
import { expect } from 'chai';
import path from 'node:path';
import { adaptSite, deployFile, startSiteNginx, type SiteNginx } from '../../support/deploy';
import { createLab, namespacesUnavailable, startServerIn, type Lab } from '../../support/netns';
import { fixtureApp, writeIni, type ServerProcess } from '../../support/server';
import { keepLoading, reportLoad } from '../../support/behind-nginx';
import { tempDir } from '../../support/tmp';
import { isAlive, waitUntil } from '../../support/wait';
import { skipUnless } from '../../support/skip';

const PORT = 8080;

describe('deploy/nginx/multi-host.conf: two hosts behind one nginx', function () {
  this.timeout(180_000);
  let lab: Lab | undefined;
  let nginx: SiteNginx | undefined;
  const servers: ServerProcess[] = [];

  before(function () {
    skipUnless(this, namespacesUnavailable());
  });

  after(async () => {
    await nginx?.stop();
    for (const s of servers) {
      s.kill();
      await s.exited;
    }
    lab?.destroy();
  });

  function startHost(i: number): ServerProcess {
    const host = (lab as Lab).hosts[i];
    const dir = tempDir();
    const ini = writeIni(dir, {
      'wsgi-file': fixtureApp('echo.js'),
      socket: `${host.ip}:${PORT}`,
      processes: 2,
      threads: 2,
      env: `HOST_ID=h${i + 1}`,
      'worker-reload-mercy': 10,
    });
    const server = startServerIn(host.netns, ini, dir);
    servers.push(server);
    return server;
  }

  it('serves from both hosts, and a killed, restarted or reloaded host fails no client request', async () => {
    lab = createLab(2);
    const [h1, h2] = lab.hosts;
    let first = startHost(0);
    const second = startHost(1);
    await Promise.all([first.ready(), second.ready()]);

    const sock = path.join(tempDir('tsuwsgi-lb-'), 'nginx.sock');
    const site = adaptSite(deployFile('nginx/multi-host.conf'), {
      listen: `unix:${sock}`,
      replace: { '10.0.0.11:8080': `${h1.ip}:${PORT}`, '10.0.0.12:8080': `${h2.ip}:${PORT}` },
    });
    nginx = await startSiteNginx(site, { socketPath: sock }, lab.front);

    // The scenario runs beside the client loop; each step waits for its effect on the bodies.
    const live = { ok: 0, failures: [] as string[], bodies: [] as string[] };
    const seen = live.bodies;
    const load = { done: false };
    const counts = (from: number): Record<string, number> => {
      const c: Record<string, number> = {};
      for (const b of seen.slice(from)) c[b] = (c[b] ?? 0) + 1;
      return c;
    };
    const steps: string[] = [];
    const scenario = (async () => {
      await waitUntil('both hosts serving', () => counts(0).h1 > 20 && counts(0).h2 > 20, 30_000);
      steps.push('both serve');

      const killed = first.pid;
      const workers = first.workerPids();
      process.kill(killed, 'SIGKILL');
      await first.exited;
      // Its workers notice the master is gone and exit by themselves.
      await waitUntil('host 1 workers gone', () => workers.every((p) => !isAlive(p)), 10_000);
      let mark = seen.length;
      await waitUntil('host 2 alone serving 100 requests', () => (counts(mark).h2 ?? 0) >= 100, 30_000);
      steps.push(`h1 killed: ${JSON.stringify(counts(mark))}`);

      first = startHost(0);
      await first.ready();
      mark = seen.length;
      // nginx gives the failed host another request after fail_timeout (5 s).
      await waitUntil('host 1 serving again', () => (counts(mark).h1 ?? 0) >= 20, 30_000);
      steps.push(`h1 back: ${JSON.stringify(counts(mark))}`);

      const before = second.events('reload-finished').length;
      process.kill(second.pid, 'SIGHUP');
      await waitUntil('host 2 reloaded', () => second.events('reload-finished').length > before, 30_000);
      mark = seen.length;
      await waitUntil('both serving after the reload', () => (counts(mark).h1 ?? 0) >= 20 && (counts(mark).h2 ?? 0) >= 20, 30_000);
      steps.push(`h2 reloaded: ${JSON.stringify(counts(mark))}`);
    })().finally(() => {
      load.done = true;
    });

    const result = await keepLoading(
      'http://app.example.com/env?name=HOST_ID',
      1000,
      () => load.done,
      150_000,
      { request: { socketPath: sock }, live },
    ).catch((err: Error) => err);
    await scenario;
    if (result instanceof Error) throw result;
    reportLoad('multi-host: kill, restart, reload', result);
    if (process.env.TSUWSGI_TEST_REPORT) console.log(`      ${steps.join('\n      ')}`);

    expect(result.failures, result.failures.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(result.ok).to.be.at.least(1000);
    expect(steps).to.have.length(4);
    expect(new Set(result.bodies)).to.deep.equal(new Set(['h1', 'h2']));
  });
});
