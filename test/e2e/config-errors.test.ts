/** Bad input to the real binary: one line naming the culprit on stderr, a non-zero exit, no stack. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp } from '../support/server';
import { tempDir } from '../support/tmp';

async function failing(opts: Parameters<typeof startServer>[0]): Promise<{ code: number | null; stderr: string }> {
  const s = startServer(opts);
  const exit = await s.exited;
  return { code: exit.code, stderr: s.stderr.join('\n') };
}

describe('configuration errors from the binary', function () {
  this.timeout(30_000);
  const app = fixtureApp('echo.js');

  const cases: [string, Parameters<typeof startServer>[0], RegExp][] = [
    ['a missing ini file', { args: ['/nonexistent/dir/app.ini'] }, /\/nonexistent\/dir\/app\.ini/],
    ['a missing section', {}, /staging/],
    ['an unknown key', { ini: { socket: '127.0.0.1:0', 'wsgi-file': app, proceses: 2 } }, /proceses.*did you mean "processes"/],
    ['processes = abc', { ini: { socket: '127.0.0.1:0', 'wsgi-file': app, processes: 'abc' } }, /processes.*abc/],
    ['buffer-size over 65535', { ini: { socket: '127.0.0.1:0', 'wsgi-file': app, 'buffer-size': 70000 } }, /buffer-size.*70000.*65535/],
    ['a malformed address', { ini: { socket: '127.0.0.1:99999', 'wsgi-file': app } }, /socket.*127\.0\.0\.1:99999/],
    ['no app', { ini: { socket: '127.0.0.1:0' } }, /app/],
    ['an unknown flag', { ini: { socket: '127.0.0.1:0', 'wsgi-file': app }, args: ['--no-such-flag', '1'] }, /no-such-flag/],
  ];

  for (const [name, opts, pattern] of cases) {
    it(`rejects ${name} with one line and exit 2`, async () => {
      const o = { ...opts };
      if (name === 'a missing section') {
        const dir = tempDir();
        const ini = path.join(dir, 'only-uwsgi.ini');
        fs.writeFileSync(ini, `[uwsgi]\nsocket = 127.0.0.1:0\nwsgi-file = ${app}\n`);
        o.args = [`${ini}:staging`];
      }
      const { code, stderr } = await failing(o);
      expect(code).to.equal(2);
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).to.have.length(1);
      expect(lines[0]).to.match(pattern);
      expect(stderr).not.to.contain('    at ');
    });
  }

  it('refuses a TCP port another server holds, with exit 5', async () => {
    const net = await import('node:net');
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as import('node:net').AddressInfo).port;
    try {
      const { code, stderr } = await failing({ ini: { socket: `127.0.0.1:${port}`, 'wsgi-file': app } });
      expect(code).to.equal(5);
      expect(stderr.trim()).to.match(new RegExp(`127\\.0\\.0\\.1:${port}.*in use`));
    } finally {
      holder.close();
    }
  });

  it('prints --help generated from the option table', async () => {
    const s = startServer({ args: ['--help'] });
    expect((await s.exited).code).to.equal(0);
    const out = s.lines.join('\n');
    for (const opt of ['--socket', '--http-socket', '--processes', '--threads', '--buffer-size', '--limit-post', '--chmod-socket', '--vacuum', '--need-app', '--strict']) {
      expect(out).to.contain(opt);
    }
  });
});
