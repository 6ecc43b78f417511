/** logto writes every process's lines to one file; disable-logging drops the request lines only. */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort } from '../support/server';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { readLogLines } from '../support/log-file';

const readLines = readLogLines;

describe('logging', function () {
  this.timeout(30_000);

  it('logto: master, worker and thread lines go to the file, stdout stays empty', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'logs', 'app.log');
    const port = await pickPort();
    const server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), threads: 2, 'threads-min': 2, logto: log } });
    try {
      await waitUntil('ready line in the logto file', () => readLines(log).some((l) => l.event === 'ready'));
      await request(`http://127.0.0.1:${port}/pid?logto=1`);
      const line = await waitUntil('request line in the logto file', () => readLines(log).find((l) => l.event === 'request' && l.uri === '/pid?logto=1'));
      expect(line).to.include({ method: 'GET', status: 200, role: 'thread' });
      expect(readLines(log).some((l) => l.role === 'master')).to.equal(true);
      expect(server.lines.filter(Boolean)).to.deep.equal([]);
    } finally {
      await server.stop();
    }
  });

  it('disable-logging: no request lines, lifecycle lines still there', async () => {
    const port = await pickPort();
    const server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true } });
    try {
      await server.ready();
      for (let i = 0; i < 5; i++) await request(`http://127.0.0.1:${port}/`);
      await server.stop();
      expect(server.events('request')).to.deep.equal([]);
      expect(server.events('stopped')).to.have.length(1);
    } finally {
      await server.stop();
    }
  });
});
