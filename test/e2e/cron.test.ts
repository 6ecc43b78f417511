/**
 * Cron with real processes, on the test clock (TSUWSGI_TEST_CLOCK_SCALE = 60: a cron minute
 * lasts a second), so that real schedules fire without waiting minutes: a master `cron =` line
 * runs, as the workers' environment has it, and never overlaps with itself (the tick skips,
 * logged); SIGTERM ends a run in progress and what it started; a mule's ctx.cron runs too and
 * never overlaps either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, REPO, startServer } from '../support/server';
import { tempDir } from '../support/tmp';
import { isAlive, waitUntil } from '../support/wait';

const FAST = { TSUWSGI_TEST_CLOCK_SCALE: '60' };

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Processes whose command line holds `marker`. */
function withMarker(marker: string): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker);
    } catch {
      return false;
    }
  });
}

describe('cron (e2e, on the test clock)', function () {
  this.timeout(60_000);

  it('a cron line runs every (cron) minute with the workers\' environment', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'ran');
    const server = startServer({
      dir, env: FAST,
      ini: { socket: path.join(dir, 's.sock'), 'wsgi-file': fixtureApp('echo.js'), env: 'GREETING=hello', cron: `-1 -1 -1 -1 -1 echo "$GREETING $TSUWSGI_CRON_ID" >> ${out}` },
    });
    try {
      await server.ready();
      await waitUntil('three runs', () => lines(out).length >= 3 && server.events('cron-finished').length >= 3, 15_000);
      expect(new Set(lines(out))).to.deep.equal(new Set(['hello 1']));
      expect(server.events('test-clock')[0]).to.include({ scale: 60 });
      expect(server.events('cron-finished').slice(0, 3).map((l) => l.code)).to.deep.equal([0, 0, 0]);
    } finally {
      expect((await server.stop()).code).to.equal(0);
    }
  });

  it('a run still going when the next minute comes makes that tick skip: runs never overlap', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'runs');
    const server = startServer({
      dir, env: FAST,
      ini: { socket: path.join(dir, 's.sock'), 'wsgi-file': fixtureApp('echo.js'), cron: `* * * * * echo start >> ${out}; sleep 1.5; echo end >> ${out}` },
    });
    try {
      await server.ready();
      // A cron minute is a second: each 1.5 s run is still going at the next minute, which skips.
      await waitUntil('two whole runs', () => lines(out).filter((l) => l === 'end').length >= 2, 20_000);
      const seq = lines(out);
      // start, end, start, end …: never two starts in a row.
      for (let i = 1; i < seq.length; i++) expect(seq[i], `line ${i}: ${seq.join(',')}`).to.not.equal(seq[i - 1]);
      const skipped = server.events('cron-skipped');
      expect(skipped.length).to.be.greaterThan(0);
      expect(skipped[0].msg).to.match(/still going; this one is skipped/);
    } finally {
      await server.stop();
    }
  });

  it('SIGTERM ends a run in progress and whatever it started, then the master exits', async () => {
    const dir = tempDir();
    const marker = `${process.pid}${Date.now() % 100000}`;
    const server = startServer({
      dir, env: FAST,
      ini: { socket: path.join(dir, 's.sock'), 'wsgi-file': fixtureApp('echo.js'), cron: `* * * * * sleep 300.${marker} & sleep 301.${marker}; wait` },
    });
    await server.ready();
    await waitUntil('the cron command and its children run', () => withMarker(marker).length >= 2, 15_000);
    const pids = withMarker(marker);
    const exit = await server.stop('SIGTERM');
    expect(exit.code).to.equal(0);
    await waitUntil('nothing the cron job started is left', () => pids.every((p) => !isAlive(p)), 5000);
    expect(withMarker(marker)).to.deep.equal([]);
    expect(server.events('cron-finished').at(-1)).to.include({ signal: 'SIGTERM' });
  });

  it('a mule\'s ctx.cron runs on its schedule and never overlaps with itself', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal');
    const server = startServer({
      dir, env: { ...FAST, JOB_MS: '1500' },
      ini: { socket: path.join(dir, 's.sock'), 'wsgi-file': fixtureApp('echo.js'), mule: path.join(REPO, 'test', 'fixtures', 'mules', 'cron-job.js'), env: `MULE_JOURNAL=${file}` },
    });
    try {
      await server.ready();
      await waitUntil('two whole runs', () => lines(file).filter((l) => l.includes('"end"')).length >= 2, 20_000);
      const seq = lines(file).map((l) => (l.includes('"start"') ? 'start' : 'end'));
      for (let i = 1; i < seq.length; i++) expect(seq[i], seq.join(',')).to.not.equal(seq[i - 1]);
      await server.waitForLog('a skipped tick', (l) => l.event === 'cron-skipped' && l.role === 'mule');
    } finally {
      expect((await server.stop()).code).to.equal(0);
    }
  });

  it('a bad schedule stops the start with one line naming it', async () => {
    const dir = tempDir();
    const server = startServer({ dir, ini: { socket: path.join(dir, 's.sock'), 'wsgi-file': fixtureApp('echo.js'), cron: '61 * * * * echo x' } });
    const exit = await server.exited;
    expect(exit.code).to.equal(2);
    expect(server.stderr.join('\n')).to.match(/cron = "61 \* \* \* \* echo x": minute "61": values go from 0 to 59/);
  });
});
