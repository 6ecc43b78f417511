/**
 * "A terminal gets it readable": with stdout a TTY (and no logto) lines go through pino-pretty,
 * one readable line each, instead of JSON. `script` gives the server a pseudo-terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BIN, fixtureApp, pickPort, writeIni } from '../support/server';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';

const SCRIPT = '/usr/bin/script';
// Colours and the carriage returns a terminal adds.
const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');

describe('logging to a terminal', function () {
  this.timeout(60_000);
  let script: ChildProcess | undefined;
  let masterPid: number | undefined;

  after(() => {
    if (masterPid !== undefined && isAlive(masterPid)) process.kill(masterPid, 'SIGKILL');
    if (script?.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
  });

  it('gets readable lines (pino-pretty), not JSON: lifecycle and request lines', async () => {
    expect(fs.existsSync(SCRIPT), 'util-linux script').to.equal(true);
    const dir = tempDir();
    const port = await pickPort();
    const pidfile = path.join(dir, 'master.pid');
    const sock = path.join(dir, 'app.sock');
    const ini = writeIni(dir, { 'http-socket': `127.0.0.1:${port}`, socket: sock, 'wsgi-file': fixtureApp('echo.js'), pidfile });
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
    delete env.TSUWSGI_LOG_JSON;
    const command = [process.execPath, BIN, ini].map((a) => `'${a}'`).join(' ');
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    script = child;
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    await waitUntil('the ready line on the terminal', () => plain(out).includes('tsuwsgi ready'), 20_000);
    masterPid = Number(fs.readFileSync(pidfile, 'utf8').trim());
    expect((await request(`http://127.0.0.1:${port}/pid?tty=1`)).status).to.equal(200);
    await waitUntil('the request line on the terminal', () => plain(out).includes('/pid?tty=1'));
    // Request text that would drive the terminal (an OSC title, a bell) or forge a line,
    // through a raw uwsgi packet: refused with a 400 whose line quotes it escaped, never raw.
    const hostile = '/pid?evil=\x1b]0;owned\x07\x9b2J\nFORGED line';
    await exchange({ path: sock }, [encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: hostile, SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '10.0.0.1' })]);
    await waitUntil('the hostile request refused', () => plain(out).includes('owned'));
    const refusedLine = plain(out).split('\n').find((l) => l.includes('owned')) as string;
    expect(refusedLine).to.match(/WARN .*uwsgi var "REQUEST_URI"/);
    // What passes the checks (a C1 CSI) reaches the request line, escaped.
    await exchange({ path: sock }, [encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/pid?evil=\x9b2Jcsi', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '10.0.0.1' })]);
    await waitUntil('the C1 request line', () => plain(out).includes('2Jcsi'));
    expect(plain(out).split('\n').find((l) => l.includes('2Jcsi'))).to.include('\\x9B2Jcsi');
    expect(out).to.not.match(/\x1b\]|\x07|\x9b/);
    expect(plain(out).split('\n').filter((l) => l.startsWith('FORGED'))).to.deep.equal([]);
    process.kill(masterPid, 'SIGTERM');
    await waitUntil('script to exit', () => (child.exitCode ?? child.signalCode) !== null, 20_000);
    await exited;

    const lines = plain(out).split('\n').filter(Boolean);
    expect(lines.filter((l) => l.trimStart().startsWith('{')), 'no JSON lines').to.deep.equal([]);
    const ready = lines.find((l) => l.includes('tsuwsgi ready'));
    // [HH:MM:ss.l] LEVEL (pid): msg {fields}
    expect(ready).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): tsuwsgi ready: 1 worker\(s\) accepting /);
    const req = lines.find((l) => l.includes('/pid?tty=1'));
    expect(req).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): request /);
    for (const field of ['"method":"GET"', '"uri":"/pid?tty=1"', '"status":200', '"bytes":', '"ms":', '"worker":1', '"thread":0', '"remote":"127.0.0.1"']) {
      expect(req, field).to.include(field);
    }
    expect(lines.some((l) => /INFO \(\d+\): tsuwsgi stopped \(exit 0\)/.test(l))).to.equal(true);
  });
});
