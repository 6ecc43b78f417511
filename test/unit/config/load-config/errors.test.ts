import { expect } from 'chai';
import { loadConfig, type LoadRequest } from '../../../../src/config/load-config';
import { errorOf, MINIMAL, tempDirs } from '../temp-ini';

describe('config/load-config: errors and warnings', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  function load(body: string, more: Partial<LoadRequest> = {}) {
    const dir = temp.make({ 'uwsgi.ini': `[uwsgi]\n${body}` });
    return loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {}, ...more });
  }
  const fail = (body: string, more: Partial<LoadRequest> = {}) => errorOf(() => load(body, more));

  it('every message is one line', () => {
    for (const body of ['proceses = 4\n', 'processes = abc\n', 'socket = :1\n', 'wsgi-file = a.js\n', `${MINIMAL}enable-threads = true\nstrict = true\n`]) {
      expect(fail(body).message).to.not.contain('\n');
    }
  });

  describe('unknown options', () => {
    it('E_CONFIG_UNKNOWN_OPTION with a did-you-mean', () => {
      const err = fail(`${MINIMAL}proceses = 4\n`);
      expect(err).to.deep.equal({ code: 'E_CONFIG_UNKNOWN_OPTION', message: 'uwsgi.ini: unknown option "proceses" (did you mean "processes"?)' });
    });
    it('suggests aliases too, and nothing when nothing is close', () => {
      expect(fail(`${MINIMAL}worker = 4\n`).message).to.contain('(did you mean "workers"?)');
      expect(fail(`${MINIMAL}banana = 4\n`).message).to.equal('uwsgi.ini: unknown option "banana"');
    });
    it('keys are case-sensitive, as in uWSGI', () => {
      expect(fail(`${MINIMAL}Processes = 4\n`).message).to.contain('(did you mean "processes"?)');
    });
    it('an unknown command-line option is a usage error', () => {
      const err = errorOf(() => loadConfig({ cli: [{ key: 'vacum', value: '' }], env: {} }));
      expect(err).to.deep.equal({ code: 'E_CLI_USAGE', message: 'command line: unknown option "--vacum" (did you mean "--vacuum"?)' });
    });
  });

  describe('uWSGI options tsuwsgi does not implement', () => {
    it('are warnings, naming file, key and value', () => {
      const { warnings } = load(`${MINIMAL}enable-threads = true\nplugins = python3\nreload-on-as = 30\n`);
      expect(warnings).to.deep.equal([
        'uwsgi.ini: enable-threads = "true": a uWSGI option tsuwsgi does not implement; ignored',
        'uwsgi.ini: plugins = "python3": a uWSGI option tsuwsgi does not implement; ignored',
        'uwsgi.ini: reload-on-as = 30: a uWSGI option tsuwsgi does not implement; ignored',
      ]);
    });
    it('are E_CONFIG_UNSUPPORTED_OPTION under strict = true', () => {
      const err = fail(`${MINIMAL}strict = true\nthunder-lock\n`);
      expect(err).to.deep.equal({
        code: 'E_CONFIG_UNSUPPORTED_OPTION',
        message: 'uwsgi.ini: thunder-lock = (no value): a uWSGI option tsuwsgi does not implement (strict is on)',
      });
    });
    it('strict from the command line applies to the file', () => {
      const err = fail(`${MINIMAL}lazy-apps = true\n`, { cli: [{ key: 'strict', value: '' }] });
      expect(err.code).to.equal('E_CONFIG_UNSUPPORTED_OPTION');
    });
    it('from the command line they warn too', () => {
      const { warnings } = load(MINIMAL, { cli: [{ key: 'reload-on-as', value: '30' }] });
      expect(warnings).to.deep.equal(['command line: --reload-on-as 30: a uWSGI option tsuwsgi does not implement; ignored']);
    });
  });

  it('keys before the first section are a warning', () => {
    const dir = temp.make({ 'uwsgi.ini': `processes = 4\n[uwsgi]\n${MINIMAL}` });
    const { config, warnings } = loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {} });
    expect(config.processes).to.equal(1);
    expect(warnings).to.deep.equal(['uwsgi.ini: processes is outside any [section] and is ignored']);
  });

  describe('bad values: E_CONFIG_BAD_VALUE naming file, key and value', () => {
    const cases: [string, string][] = [
      ['processes = abc', 'uwsgi.ini: processes = "abc": expected an integer'],
      ['workers = 0', 'uwsgi.ini: workers = 0: minimum is 1'],
      ['threads = 257', 'uwsgi.ini: threads = 257: maximum is 256'],
      ['buffer-size = 70000', 'uwsgi.ini: buffer-size = 70000: maximum is 65535'],
      ['buffer-size = 65536', 'uwsgi.ini: buffer-size = 65536: maximum is 65535'],
      ['listen = 0', 'uwsgi.ini: listen = 0: minimum is 1'],
      ['limit-post = 10 MB', 'uwsgi.ini: limit-post = "10 MB": expected a size in bytes such as 1048576, 512k, 100m or 1g'],
      ['vacuum = maybe', 'uwsgi.ini: vacuum = "maybe": expected true/false, yes/no, on/off or 1/0'],
      ['chmod-socket = 0660', 'uwsgi.ini: chmod-socket = 0660: expected 3 octal digits such as 660 (or no value for 666)'],
      ['env = NOVALUE', 'uwsgi.ini: env = "NOVALUE": expected KEY=VALUE'],
      ['http-socket = ::1:80', 'uwsgi.ini: http-socket = "::1:80": malformed address; IPv6 addresses need brackets, as in [::1]:9000'],
      ['socket = :70000', 'uwsgi.ini: socket = ":70000": port must be 0..65535'],
      ['pidfile =', 'uwsgi.ini: pidfile = (no value): expected a path'],
      ['callable =', 'uwsgi.ini: callable = (no value): expected a value'],
      ['worker-reload-mercy = soon', 'uwsgi.ini: worker-reload-mercy = "soon": expected an integer'],
    ];
    for (const [line, message] of cases) {
      it(line, () => expect(fail(`${MINIMAL}${line}\n`)).to.deep.equal({ code: 'E_CONFIG_BAD_VALUE', message }));
    }
    it('a bad value on the command line names the command line and the flag', () => {
      const err = fail(MINIMAL, { cli: [{ key: 'processes', value: 'many' }] });
      expect(err).to.deep.equal({ code: 'E_CONFIG_BAD_VALUE', message: 'command line: --processes "many": expected an integer' });
    });
    it('a bad module', () => {
      expect(fail('module = app.js:\nsocket = :1\n').message).to.equal('uwsgi.ini: module = "app.js:": nothing after ":"; name the callable or drop the colon');
    });
    it('wsgi-file and module together in one source', () => {
      const err = fail('wsgi-file = a.js\nmodule = pkg\nsocket = :1\n');
      expect(err).to.deep.equal({
        code: 'E_CONFIG_BAD_VALUE',
        message: 'uwsgi.ini: module = "pkg": wsgi-file is set too (uwsgi.ini); give only one of them',
      });
    });
    it('an include (ini = ...) inside the file is refused', () => {
      expect(fail(`${MINIMAL}ini = other.ini\n`)).to.deep.equal({
        code: 'E_CONFIG_BAD_VALUE',
        message: 'uwsgi.ini: ini = "other.ini": including another ini is not supported; name one ini on the command line',
      });
    });
  });

  describe('placeholders', () => {
    it('unknown %(key) is E_CONFIG_PLACEHOLDER naming key and user', () => {
      expect(fail(`${MINIMAL}pidfile = %(rundir)/x.pid\n`)).to.deep.equal({
        code: 'E_CONFIG_PLACEHOLDER',
        message: 'uwsgi.ini: pidfile uses %(rundir), but "rundir" is not set in this section',
      });
    });
    it('a cycle is E_CONFIG_PLACEHOLDER', () => {
      const err = fail(`${MINIMAL}a = %(b)\nb = %(a)\npidfile = %(a)\n`);
      expect(err).to.deep.equal({ code: 'E_CONFIG_PLACEHOLDER', message: 'uwsgi.ini: placeholder cycle: pidfile -> a -> b -> a' });
    });
  });

  describe('missing pieces', () => {
    it('no app: E_CONFIG_NO_APP', () => {
      expect(fail('socket = :1\n')).to.deep.equal({
        code: 'E_CONFIG_NO_APP',
        message: 'uwsgi.ini: no app configured; set wsgi-file (or file) or module',
      });
    });
    it('no socket: E_CONFIG_NO_SOCKET', () => {
      expect(fail('wsgi-file = a.js\n')).to.deep.equal({
        code: 'E_CONFIG_NO_SOCKET',
        message: 'uwsgi.ini: no socket configured; set socket (or uwsgi-socket) or http-socket',
      });
    });
    it('without a file, the command line is named', () => {
      expect(errorOf(() => loadConfig({ env: {}, cli: [{ key: 'socket', value: ':1' }] })).message).to.equal(
        'command line: no app configured; set wsgi-file (or file) or module',
      );
    });
    it('an http-socket alone is enough', () => {
      expect(load('wsgi-file = a.js\nhttp-socket = :0\n').config.socket).to.deep.equal([]);
    });
  });

  describe('files', () => {
    it('missing file: E_CONFIG_FILE naming the path as given', () => {
      const dir = temp.make();
      expect(errorOf(() => loadConfig({ ini: 'conf/none.ini', cwd: dir, env: {} }))).to.deep.equal({
        code: 'E_CONFIG_FILE',
        message: 'conf/none.ini: cannot read the configuration file (ENOENT)',
      });
    });
    it('missing section: E_CONFIG_SECTION naming file and section', () => {
      expect(fail(MINIMAL, { ini: 'uwsgi.ini:prod' })).to.deep.equal({ code: 'E_CONFIG_SECTION', message: 'uwsgi.ini: no [prod] section' });
    });
    it('two ini files at once are a usage error', () => {
      const err = fail(MINIMAL, { cli: [{ key: 'ini', value: 'other.ini' }] });
      expect(err).to.deep.equal({ code: 'E_CLI_USAGE', message: 'command line: one ini file at a time (got "uwsgi.ini" and "other.ini")' });
    });
  });

  describe('log-format', () => {
    it('keeps %(var) request-log variables that name no key of the section, and still expands keys', () => {
      const { config } = load(`${MINIMAL}app-name = shop\nlog-format = %(app-name) %(addr) %(method) %(uri) %%(status)\n`);
      expect(config.logFormat).to.equal('shop %(addr) %(method) %(uri) %(status)');
    });
    it('an unknown variable is a one-line error naming it', () => {
      const err = fail(`${MINIMAL}log-format = %(method) %(stauts)\n`);
      expect(err.code).to.equal('E_CONFIG_BAD_VALUE');
      expect(err.message).to.match(/^uwsgi\.ini: log-format = .*unknown variable %\(stauts\)/);
    });
  });
});

