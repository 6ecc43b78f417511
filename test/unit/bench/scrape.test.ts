import { expect } from 'chai';
import net from 'node:net';
import path from 'node:path';
import { benchLib } from './helpers.js';
import { tempDir } from '../../support/tmp';

const { startScraping, readOnce } = benchLib('scrape');

describe('bench/scrape', () => {
  let server: net.Server | undefined;
  afterEach(() => server?.close());

  function serve(answer: string): Promise<string> {
    const file = path.join(tempDir(), 'stats.sock');
    server = net.createServer((s) => s.end(answer));
    return new Promise((resolve) => server?.listen(file, () => resolve(file)));
  }

  it('reads one document to EOF and parses it', async () => {
    const file = await serve('{"workers":[]}');
    expect(await readOnce(file)).to.deep.equal({ workers: [] });
  });

  it('counts successful and failed scrapes, and waits for the last one on stop', async () => {
    const good = await serve('{"workers":[]}');
    const ok = startScraping(good, 20);
    await new Promise((r) => setTimeout(r, 150));
    const r1 = await ok.stop();
    expect(r1.ok).to.be.at.least(2);
    expect(r1.failed).to.equal(0);
    const bad = startScraping(path.join(tempDir(), 'none.sock'), 20);
    await new Promise((r) => setTimeout(r, 80));
    const r2 = await bad.stop();
    expect(r2.ok).to.equal(0);
    expect(r2.failed).to.be.at.least(1);
    expect(r2.errors[0]).to.include('ENOENT');
  });

  it('counts a non-JSON answer as a failure', async () => {
    const file = await serve('not json');
    const s = startScraping(file, 20);
    await new Promise((r) => setTimeout(r, 80));
    const r = await s.stop();
    expect(r.ok).to.equal(0);
    expect(r.failed).to.be.at.least(1);
  });
});
