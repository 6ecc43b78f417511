import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseCommandLine, type CommandLineResult } from '../../../src/config/argv';
import { bindOptionalValues } from '../../../src/config/argv-optional';
import { optionTable } from '../../../src/config/options';
import type { Config } from '../../../src/shared/config';
import { errorOf, MINIMAL, tempDirs } from './temp-ini';

describe('config/argv (parseCommandLine)', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());
  let dir: string;
  before(() => {
    dir = temp.make({
      'uwsgi.ini': `[uwsgi]\n${MINIMAL}processes = 4\nsocket = :8081\nenv = FROM=file\n[other]\n${MINIMAL}threads = 3\n`,
    });
  });

  const parse = (...argv: string[]): CommandLineResult => parseCommandLine(argv, {}, dir);
  const config = (...argv: string[]): Config => {
    const result = parse(...argv);
    if (result.kind !== 'config') throw new Error(`expected a config, got ${result.kind}`);
    return result.config;
  };

  it('reads the positional ini', () => {
    expect(config('uwsgi.ini')).to.include({ processes: 4, iniFile: path.join(dir, 'uwsgi.ini') });
  });
  it('selects a section with FILE.ini:section', () => {
    expect(config('uwsgi.ini:other')).to.include({ threads: 3, processes: 1, section: 'other' });
  });
  it('--ini FILE and --ini=FILE:section', () => {
    expect(config('--ini', 'uwsgi.ini')).to.include({ processes: 4 });
    expect(config('--ini=uwsgi.ini:other')).to.include({ threads: 3 });
  });
  it('command-line values override the file, options before or after the ini', () => {
    expect(config('uwsgi.ini', '--processes', '2')).to.include({ processes: 2 });
    expect(config('--processes', '2', 'uwsgi.ini')).to.include({ processes: 2 });
    expect(config('uwsgi.ini', '--processes=3')).to.include({ processes: 3 });
  });
  it('aliases work as flags; the last of name and alias wins', () => {
    expect(config('uwsgi.ini', '--workers', '6')).to.include({ processes: 6 });
    expect(config('uwsgi.ini', '--workers', '6', '--processes', '7')).to.include({ processes: 7 });
    expect(config('uwsgi.ini', '--processes', '7', '--workers', '6')).to.include({ processes: 6 });
    expect(config('--file', 'a.js', '--uwsgi-socket', ':1').appFile).to.equal(path.join(dir, 'a.js'));
  });
  it("repeatable options accumulate on the command line and replace the file's list", () => {
    const c = config('uwsgi.ini', '--socket', ':1', '--socket', '/tmp/x.sock', '--env', 'A=1', '--env', 'B=2');
    expect(c.socket.map((s) => s.text)).to.deep.equal([':1', '/tmp/x.sock']);
    expect(c.env).to.deep.equal([['A', '1'], ['B', '2']]);
  });
  it('bools: alone, with a value, or with =', () => {
    expect(config('uwsgi.ini', '--vacuum')).to.include({ vacuum: true });
    expect(config('uwsgi.ini', '--vacuum', 'false')).to.include({ vacuum: false });
    expect(config('uwsgi.ini', '--vacuum', 'YES')).to.include({ vacuum: true });
    expect(config('uwsgi.ini', '--vacuum=off')).to.include({ vacuum: false });
    expect(config('uwsgi.ini', '--need-app', 'no', '--master', '0')).to.include({ needApp: false, master: false });
  });
  it('a bool followed by the ini leaves the ini positional', () => {
    expect(config('--vacuum', 'uwsgi.ini')).to.include({ vacuum: true, processes: 4 });
    expect(config('--die-on-term', 'uwsgi.ini:other')).to.include({ dieOnTerm: true, threads: 3 });
    expect(config('--vacuum', '--processes', '2', 'uwsgi.ini')).to.include({ vacuum: true, processes: 2 });
  });
  it('chmod-socket alone is 666, with digits their mode', () => {
    expect(config('uwsgi.ini', '--chmod-socket')).to.include({ chmodSocket: 0o666 });
    expect(config('uwsgi.ini', '--chmod-socket', '660')).to.include({ chmodSocket: 0o660 });
    expect(config('--chmod-socket', 'uwsgi.ini')).to.include({ chmodSocket: 0o666, processes: 4 });
  });
  it('uWSGI-only flags warn, with or without a value, and do not eat the ini', () => {
    const result = parse('--enable-threads', 'uwsgi.ini', '--reload-on-as', '30');
    expect(result.kind).to.equal('config');
    if (result.kind !== 'config') return;
    expect(result.config.processes).to.equal(4);
    expect(result.warnings).to.deep.equal([
      'command line: --enable-threads (no value): a uWSGI option tsuwsgi does not implement; ignored',
      'command line: --reload-on-as 30: a uWSGI option tsuwsgi does not implement; ignored',
    ]);
  });
  it('--strict makes them errors', () => {
    expect(errorOf(() => parse('uwsgi.ini', '--strict', '--thunder-lock')).code).to.equal('E_CONFIG_UNSUPPORTED_OPTION');
  });
  it('works without an ini', () => {
    expect(config('--http-socket', ':0', '--module', 'pkg:app')).to.include({ appPackage: 'pkg', callable: 'app', iniFile: undefined });
  });
  it('negative numbers reach validation', () => {
    expect(errorOf(() => parse('uwsgi.ini', '--listen', '-5')).message).to.equal('command line: --listen -5: minimum is 1');
  });

  describe('help and version', () => {
    it('--help and -h return the help text', () => {
      for (const flag of ['--help', '-h']) {
        const result = parse(flag);
        expect(result.kind).to.equal('help');
      }
    });
    it('--help wins over a missing app or socket', () => {
      expect(parse('uwsgi.ini:nope', '--help').kind).to.equal('help');
    });
    it('the help lists every option and alias, grouped by section', () => {
      const result = parse('--help');
      if (result.kind !== 'help') throw new Error('no help');
      for (const spec of optionTable) {
        for (const name of [spec.name, ...spec.aliases]) expect(result.text).to.contain(`--${name}`);
        expect(result.text).to.contain(`${spec.section}:`);
      }
      expect(result.text).to.match(/^Usage: tsuwsgi /);
      expect(result.text).to.not.contain('--enable-threads');
    });
    it('--version and -V return package.json version', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
      expect(parse('--version')).to.deep.equal({ kind: 'version', text: pkg.version });
      expect(parse('-V')).to.deep.equal({ kind: 'version', text: pkg.version });
    });
  });

  describe('usage errors: E_CLI_USAGE, one line, nothing printed', () => {
    it('unknown flag, with a suggestion', () => {
      expect(errorOf(() => parse('--proceses', '2'))).to.deep.equal({
        code: 'E_CLI_USAGE',
        message: 'command line: unknown option "--proceses" (did you mean "--processes"?)',
      });
      expect(errorOf(() => parse('--proceses=2')).message).to.contain('unknown option "--proceses"');
    });
    it('missing value', () => {
      const err = errorOf(() => parse('uwsgi.ini', '--processes'));
      expect(err.code).to.equal('E_CLI_USAGE');
      expect(err.message).to.match(/^command line: .*--processes.*argument missing$/);
    });
    it('two positionals', () => {
      const err = errorOf(() => parse('a.ini', 'b.ini'));
      expect(err.code).to.equal('E_CLI_USAGE');
      expect(err.message).to.not.contain('\n');
    });
    it('positional and --ini together', () => {
      expect(errorOf(() => parse('uwsgi.ini', '--ini', 'uwsgi.ini')).code).to.equal('E_CLI_USAGE');
    });
    it('never writes to stdout or stderr', () => {
      const writes: string[] = [];
      const out = process.stdout.write.bind(process.stdout);
      const err = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof process.stderr.write;
      try {
        for (const argv of [['--help'], ['--version'], ['--nope'], ['--processes'], ['a', 'b']]) {
          try {
            parseCommandLine(argv, {}, dir);
          } catch {
            // errors are the point here
          }
        }
      } finally {
        process.stdout.write = out;
        process.stderr.write = err;
      }
      expect(writes).to.deep.equal([]);
    });
  });

  it('file errors pass through with their own codes', () => {
    expect(errorOf(() => parse('missing.ini')).code).to.equal('E_CONFIG_FILE');
    expect(errorOf(() => parse('uwsgi.ini:nope')).code).to.equal('E_CONFIG_SECTION');
  });
});

describe('config/argv-optional (bindOptionalValues)', () => {
  it('keeps a valid value for a bool or mode', () => {
    expect(bindOptionalValues(['--vacuum', 'false', 'x.ini'])).to.deep.equal(['--vacuum', 'false', 'x.ini']);
    expect(bindOptionalValues(['--chmod-socket', '660'])).to.deep.equal(['--chmod-socket', '660']);
  });
  it('detaches a word that is not a value for it', () => {
    expect(bindOptionalValues(['--vacuum', 'x.ini'])).to.deep.equal(['--vacuum=', 'x.ini']);
    expect(bindOptionalValues(['--chmod-socket', 'x.ini'])).to.deep.equal(['--chmod-socket=', 'x.ini']);
    expect(bindOptionalValues(['--lazy-apps', 'x.ini:prod'])).to.deep.equal(['--lazy-apps=', 'x.ini:prod']);
  });
  it('leaves everything else to commander', () => {
    expect(bindOptionalValues(['--processes', 'x.ini'])).to.deep.equal(['--processes', 'x.ini']);
    expect(bindOptionalValues(['--reload-on-as', '30'])).to.deep.equal(['--reload-on-as', '30']);
    expect(bindOptionalValues(['--vacuum=x'])).to.deep.equal(['--vacuum=x']);
    expect(bindOptionalValues(['--vacuum', '--master'])).to.deep.equal(['--vacuum', '--master']);
    expect(bindOptionalValues(['--vacuum'])).to.deep.equal(['--vacuum']);
    expect(bindOptionalValues(['--nope', 'x.ini'])).to.deep.equal(['--nope', 'x.ini']);
  });
});
