import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createLogger } from '../../../src/shared/logger';
import { jsonString } from '../../../src/shared/text-escape';

describe('shared/logger: logto', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('opens the file at once, creating its directory, so a process that exits right away still flushes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-logger-'));
    dirs.push(dir);
    const file = path.join(dir, 'sub', 'app.log');
    const logs = createLogger({ role: 'master', logto: file });
    expect(fs.existsSync(file)).to.equal(true);
    logs.logger.info({ event: 'x' }, 'hello');
    logs.flush();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ event: 'x', msg: 'hello', role: 'master' });
  });

  it('a file it cannot open is one E_LOGTO error naming it', () => {
    let caught: { code?: string; message: string } | undefined;
    try {
      createLogger({ role: 'master', logto: '/etc/passwd/app.log' });
    } catch (err) {
      caught = err as { code?: string; message: string };
    }
    expect(caught?.code).to.equal('E_LOGTO');
    expect(caught?.message).to.match(/^\/etc\/passwd\/app\.log: cannot open the log file: /);
  });

  it('a directory that cannot be created is an E_LOGTO error, not a hang (mkdir -p under /proc)', () => {
    let caught: { code?: string } | undefined;
    try {
      createLogger({ role: 'master', logto: '/proc/tsuwsgi-nope/sub/app.log' });
    } catch (err) {
      caught = err as { code?: string };
    }
    expect(caught?.code).to.equal('E_LOGTO');
  });

  it('infoLine writes the very line pino writes for the same fields', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-logger-'));
    dirs.push(dir);
    const file = path.join(dir, 'fast.log');
    const logs = createLogger({ role: 'worker', logto: file, bindings: { worker: 2 } });
    const fields = { event: 'request', method: 'GET', uri: '/a"b\\c?x=é', status: 200, bytes: 133, ms: 1.25, thread: 0, remote: '::1' };
    logs.logger.info(fields, 'request');
    expect(logs.infoLine).to.be.a('function');
    logs.infoLine?.(JSON.stringify(fields).slice(1, -1), 'request');
    logs.flush();
    const [viaPino, viaFast] = fs.readFileSync(file, 'utf8').trim().split('\n');
    const strip = (line: string): string => line.replace(/"time":\d+/, '"time":0');
    expect(strip(viaFast)).to.equal(strip(viaPino));
  });
});


/** JSON members as run-app.ts's request line writes them: each string through jsonString. */
function fieldsAsRequestLineBuildsThem(fields: Record<string, string | number>): string {
  return Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'string' ? jsonString(v) : JSON.stringify(v)}`).join(',');
}

describe('shared/logger: control characters', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('JSON lines carry DEL and C1 as \\u00XX on both paths (same bytes), and parse back to the original', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-logger-'));
    dirs.push(dir);
    const file = path.join(dir, 'controls.log');
    const logs = createLogger({ role: 'worker', logto: file, bindings: { worker: 2 } });
    const uri = '/a\nb\x1b[31m\x7f\x9b2J"\\é';
    const fields = { event: 'request', method: 'GET', uri, status: 200, bytes: 1, ms: 1, thread: 0, remote: '::1' };
    logs.logger.info(fields, 'request');
    logs.infoLine?.(fieldsAsRequestLineBuildsThem(fields), 'request');
    logs.logger.error({ event: 'harakiri', uri }, `harakiri: GET ${uri}`);
    logs.flush();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const strip = (line: string): string => line.replace(/"time":\d+/, '"time":0');
    expect(strip(lines[1])).to.equal(strip(lines[0]));
    for (const line of lines) {
      expect(line).to.not.match(/[\x00-\x1f\x7f-\x9f]/);
      expect((JSON.parse(line) as { uri: string }).uri).to.equal(uri);
    }
    expect((JSON.parse(lines[2]) as { msg: string }).msg).to.equal(`harakiri: GET ${uri}`);
  });
});

describe('shared/logger: reopen (logrotate)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const temp = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-reopen-'));
    dirs.push(dir);
    return dir;
  };
  const msgs = (file: string): string[] =>
    fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);

  it('writes what is buffered to the moved file, then creates a new one under the old name', () => {
    const file = path.join(temp(), 'app.log');
    const logs = createLogger({ role: 'master', logto: file });
    logs.logger.info('one');
    logs.infoLine?.('"event":"request"', 'two');
    logs.writeText('three');
    // Still buffered (up to 20 ms): the rename happens first, as with logrotate.
    fs.renameSync(file, `${file}.1`);
    expect(logs.reopen()).to.equal(true);
    logs.logger.info('four');
    logs.writeText('{"msg":"five"}');
    logs.flush();
    expect(fs.readFileSync(`${file}.1`, 'utf8')).to.match(/"msg":"one".*\n.*"msg":"two".*\nthree\n$/);
    expect(msgs(file)).to.deep.equal(['four', 'five']);
  });

  it('a path that cannot be opened any more is an E_LOGTO error, and lines keep going to the old file', () => {
    const dir = temp();
    const file = path.join(dir, 'sub', 'app.log');
    const logs = createLogger({ role: 'master', logto: file });
    fs.renameSync(path.join(dir, 'sub'), path.join(dir, 'moved'));
    fs.writeFileSync(path.join(dir, 'sub'), 'a file where the directory was');
    let caught: { code?: string; message: string } | undefined;
    try {
      logs.reopen();
    } catch (err) {
      caught = err as { code?: string; message: string };
    }
    expect(caught?.code).to.equal('E_LOGTO');
    expect(caught?.message).to.match(/^\/.*\/sub\/app\.log: cannot open the log file: ENOTDIR/);
    logs.logger.info('still here');
    logs.flush();
    expect(msgs(path.join(dir, 'moved', 'app.log'))).to.deep.equal(['still here']);
  });

  it('without logto there is nothing to reopen', () => {
    const before = process.env.TSUWSGI_LOG_JSON;
    process.env.TSUWSGI_LOG_JSON = '1';
    try {
      expect(createLogger({ role: 'master', logto: undefined }).reopen()).to.equal(false);
    } finally {
      if (before === undefined) delete process.env.TSUWSGI_LOG_JSON;
      else process.env.TSUWSGI_LOG_JSON = before;
    }
  });
});
