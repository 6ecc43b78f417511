import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load-config';
import type { Config } from '../../../src/shared/config';
import { MINIMAL, tempDirs } from './temp-ini';

const SEED_INI = `[uwsgi]
wsgi-file = run.py         # 指定要加载的WSGI文件
callable = app             # 指出uWSGI加载的模块中哪个变量将被调用
socket = :8080             # 指定socket文件，也可以指定为127.0.0.1:9000
processes = 4              # 指定开启的工作进程数量
threads = 2                # 设置每个工作进程的线程数
master = true              # 启动主进程
chmod-socket = 660         # unix socket权限
vacuum = true              # 自动删除unix socket文件和pid文件
die-on-term = true         # ？
buffer-size = 65535        # 缓存区大小
limit-post = 104857600     # 限制http请求体大小
`;

describe('config/load-config', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  /** Loads `body` written as [uwsgi] of app.ini in a fresh directory. */
  function load(body: string, env: Record<string, string> = {}): { dir: string; config: Config; warnings: readonly string[] } {
    const dir = temp.make({ 'app.ini': `[uwsgi]\n${body}` });
    return { dir, ...loadConfig({ ini: 'app.ini', cwd: dir, env }) };
  }

  it("reads the seed's uwsgi.ini verbatim, inline comments on every line", () => {
    const dir = temp.make({ 'uwsgi.ini': SEED_INI });
    const { config, warnings } = loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {} });
    expect(warnings).to.deep.equal([]);
    expect(config).to.deep.equal({
      iniFile: path.join(dir, 'uwsgi.ini'),
      section: 'uwsgi',
      baseDir: dir,
      socket: [{ kind: 'tcp', host: undefined, port: 8080, text: ':8080' }],
      httpSocket: [],
      processes: 4,
      threads: 2,
      threadsMin: 1,
      threadsIdle: 15,
      nodeArgs: [],
      maxSemiSpaceSize: 'auto',
      acceptingWorkers: 'auto',
      idleGc: 30,
      cheaper: 0,
      cheaperInitial: 0,
      cheaperStep: 1,
      cheaperOverload: 3,
      cheaperAlgo: 'spare',
      cheaperRssLimitSoft: 0,
      cheaperRssLimitHard: 0,
      cheaperBusynessMax: 50,
      cheaperBusynessMin: 25,
      cheaperBusynessMultiplier: 10,
      cheaperBusynessPenalty: 2,
      cheaperBusynessBacklogAlert: 33,
      cheaperBusynessBacklogMultiplier: 3,
      cheaperBusynessBacklogStep: 1,
      cheaperBusynessBacklogNonzero: 60,
      cheaperBusynessVerbose: false,
      master: true,
      appFile: path.join(dir, 'run.py'),
      appPackage: undefined,
      callable: 'app',
      chdir: undefined,
      env: [],
      chmodSocket: 0o660,
      chownSocket: undefined,
      uid: undefined,
      gid: undefined,
      masterAsRoot: false,
      allowWritableDirs: false,
      attachDaemon: [],
      smartAttachDaemon: [],
      attachDaemon2: [],
      vacuum: true,
      dieOnTerm: true,
      bufferSize: 65535,
      limitPost: 104857600,
      postBuffering: 0,
      postBufferingBufsize: 65536,
      postBufferingDir: undefined,
      socketTimeout: 4,
      httpTimeout: 60,
      httpKeepalive: 75,
      pidfile: undefined,
      listen: 1024,
      noDeferAccept: false,
      logto: undefined,
      disableLogging: false,
      needApp: true,
      stats: undefined,
      statsHttp: false,
      statsVars: false,
      statsChmod: 0o600,
      mules: [],
      muleMsgSize: 65536,
      muleQueue: 1000,
      cron: [],
      strict: false,
      workerReloadMercy: 60,
      logFormat: undefined,
      log4xx: false,
      log5xx: false,
      logSlow: 0,
      logReopen: false,
      harakiri: 0,
      maxRequests: 0,
      maxRequestsDelta: 0,
      reloadOnRss: 0,
      maxWorkerLifetime: 0,
      touchReload: [],
      touchChainReload: [],
      masterFifo: undefined,
      staticMap: [],
      staticMap2: [],
      staticCheck: [],
      staticIndex: [],
      staticSafe: [],
      staticSkipExt: [],
      staticExpires: [],
      staticExpiresMtime: [],
      staticExpiresUri: [],
      staticExpiresUriMtime: [],
      staticExpiresPathInfo: [],
      staticExpiresPathInfoMtime: [],
      staticExpiresType: [],
      staticExpiresTypeMtime: [],
      offloadThreads: 0,
    });
  });

  it('fills every default', () => {
    const { config } = load(MINIMAL);
    expect(config).to.include({
      processes: 1, threads: 1, master: true, vacuum: false, dieOnTerm: false, bufferSize: 4096, limitPost: 0,
      listen: 1024, noDeferAccept: false, disableLogging: false, needApp: true, strict: false, workerReloadMercy: 60, httpTimeout: 60, httpKeepalive: 75,
      chmodSocket: undefined, pidfile: undefined, logto: undefined, callable: undefined,
      chownSocket: undefined, uid: undefined, gid: undefined,
      postBuffering: 0, postBufferingBufsize: 65536, postBufferingDir: undefined,
    });
    expect(config.env).to.deep.equal([]);
    expect(config.httpSocket).to.deep.equal([]);
  });

  it('returns a deeply frozen Config', () => {
    const { config } = load(`${MINIMAL}env = A=1\nhttp-socket = :9000\n`);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.socket)).to.equal(true);
    expect(Object.isFrozen(config.socket[0])).to.equal(true);
    expect(Object.isFrozen(config.httpSocket)).to.equal(true);
    expect(Object.isFrozen(config.env)).to.equal(true);
    expect(Object.isFrozen(config.env[0])).to.equal(true);
  });

  it('is plain data that survives JSON (it crosses IPC)', () => {
    const { config } = load(`${MINIMAL}env = A=1\n`);
    expect(JSON.parse(JSON.stringify(config))).to.deep.include({ processes: 1, env: [['A', '1']] });
  });

  describe('repeated keys', () => {
    it('several env lines accumulate in order', () => {
      const { config } = load(`${MINIMAL}env = A=1\nenv = B=two words\nenv = URL=http://x/?a=b#frag\n`);
      expect(config.env).to.deep.equal([['A', '1'], ['B', 'two words'], ['URL', 'http://x/?a=b#frag']]);
    });
    it('several sockets accumulate, across aliases too', () => {
      const { config } = load('wsgi-file = app.js\nsocket = :1\nsocket = /run/a.sock\nuwsgi-socket = [::1]:2\nhttp-socket = :3\nhttp-socket = :4\n');
      expect(config.socket.map((s) => s.text)).to.deep.equal([':1', '/run/a.sock', '[::1]:2']);
      expect(config.httpSocket.map((s) => s.text)).to.deep.equal([':3', ':4']);
    });
    it('a non-repeatable key given twice: the last wins, as in uWSGI', () => {
      const { config } = load(`${MINIMAL}processes = 2\nthreads = 3\nprocesses = 5\n`);
      expect(config.processes).to.equal(5);
    });
    it('only the winning value is validated', () => {
      expect(load(`${MINIMAL}processes = abc\nprocesses = 2\n`).config.processes).to.equal(2);
    });
  });

  describe('aliases', () => {
    it('workers = processes, file = wsgi-file, uwsgi-socket = socket', () => {
      const { dir, config } = load('file = main.js\nuwsgi-socket = 127.0.0.1:9000\nworkers = 3\n');
      expect(config.processes).to.equal(3);
      expect(config.appFile).to.equal(path.join(dir, 'main.js'));
      expect(config.socket).to.deep.equal([{ kind: 'tcp', host: '127.0.0.1', port: 9000, text: '127.0.0.1:9000' }]);
    });
  });

  describe('bools', () => {
    for (const [text, want] of [['yes', true], ['No', false], ['ON', true], ['off', false], ['1', true], ['0', false], ['', true]] as const) {
      it(`vacuum = ${text || '(no value)'} → ${want}`, () => {
        expect(load(`${MINIMAL}vacuum = ${text}\n`).config.vacuum).to.equal(want);
      });
    }
    it('a bare key line is true', () => {
      expect(load(`${MINIMAL}vacuum\ndisable-logging   # quiet\n`).config).to.include({ vacuum: true, disableLogging: true });
    });
    it('master = false is accepted and recorded', () => {
      expect(load(`${MINIMAL}master = false\n`).config.master).to.equal(false);
    });
  });

  describe('module', () => {
    it('a package with a callable', () => {
      const { config } = load('module = my-app:server\nsocket = :1\n');
      expect(config).to.include({ appFile: undefined, appPackage: 'my-app', callable: 'server' });
    });
    it('a path, resolved like other paths', () => {
      const { dir, config } = load('module = lib/app.js:handler\nsocket = :1\n');
      expect(config).to.include({ appFile: path.join(dir, 'lib/app.js'), appPackage: undefined, callable: 'handler' });
    });
    it('an explicit callable wins over the one after the colon', () => {
      expect(load('module = my-app:server\ncallable = other\nsocket = :1\n').config.callable).to.equal('other');
    });
  });

  describe('chmod-socket', () => {
    it('bare value means 666', () => expect(load(`${MINIMAL}chmod-socket =\n`).config.chmodSocket).to.equal(0o666));
    it('true and 1 mean 666', () => {
      expect(load(`${MINIMAL}chmod-socket = true\n`).config.chmodSocket).to.equal(0o666);
      expect(load(`${MINIMAL}chmod-socket = 1\n`).config.chmodSocket).to.equal(0o666);
    });
  });

  describe('relative paths', () => {
    it('resolve against the ini directory without chdir', () => {
      const dir = temp.make({ 'conf/app.ini': '[uwsgi]\nwsgi-file = app.js\nsocket = run/app.sock\npidfile = app.pid\nlogto = ../log/app.log\n' });
      const { config } = loadConfig({ ini: 'conf/app.ini', cwd: dir, env: {} });
      const conf = path.join(dir, 'conf');
      expect(config.baseDir).to.equal(conf);
      expect(config.appFile).to.equal(path.join(conf, 'app.js'));
      expect(config.socket[0]).to.deep.equal({ kind: 'unix', path: path.join(conf, 'run/app.sock'), text: 'run/app.sock' });
      expect(config.pidfile).to.equal(path.join(conf, 'app.pid'));
      expect(config.logto).to.equal(path.join(dir, 'log/app.log'));
    });
    it('resolve against chdir when set; a relative chdir resolves against the ini directory', () => {
      const dir = temp.make({ 'conf/app.ini': '[uwsgi]\nwsgi-file = app.js\nsocket = app.sock\npidfile = app.pid\nlogto = app.log\nchdir = ../srv\n' });
      const { config } = loadConfig({ ini: 'conf/app.ini', cwd: dir, env: {} });
      const srv = path.join(dir, 'srv');
      expect(config.chdir).to.equal(srv);
      expect(config.baseDir).to.equal(srv);
      expect(config.appFile).to.equal(path.join(srv, 'app.js'));
      expect(config.socket[0]).to.include({ path: path.join(srv, 'app.sock') });
      expect(config.pidfile).to.equal(path.join(srv, 'app.pid'));
      expect(config.logto).to.equal(path.join(srv, 'app.log'));
    });
    it('chdir applies even when it comes after the paths in the file', () => {
      const { dir, config } = load('wsgi-file = app.js\nsocket = :1\nchdir = /srv/www\n');
      expect(dir).to.not.equal('/srv/www');
      expect(config.appFile).to.equal('/srv/www/app.js');
    });
    it('absolute paths are kept', () => {
      const { config } = load('wsgi-file = /opt/app/main.js\nsocket = /run/x.sock\n');
      expect(config.appFile).to.equal('/opt/app/main.js');
      expect(config.socket[0]).to.include({ path: '/run/x.sock' });
    });
    it('the ini path itself resolves against cwd', () => {
      const dir = temp.make({ 'a/b/app.ini': `[uwsgi]\n${MINIMAL}` });
      const { config } = loadConfig({ ini: 'b/app.ini', cwd: path.join(dir, 'a'), env: {} });
      expect(config.iniFile).to.equal(path.join(dir, 'a/b/app.ini'));
    });
  });

  describe('placeholders in the file', () => {
    it('%d, %n, $(VAR) and %(key) together', () => {
      const { dir, config } = load(
        'base = %dsrv\nwsgi-file = %(base)/app.js\nsocket = /run/%n.sock\nhttp-socket = :$(PORT)\nenv = HOME_DIR=$(HOME)\nenv = MISSING=$(NOPE)\n',
        { PORT: '9000', HOME: '/home/u' },
      );
      expect(config.appFile).to.equal(path.join(dir, 'srv/app.js'));
      expect(config.socket[0]).to.include({ path: '/run/app.sock' });
      expect(config.httpSocket[0]).to.include({ port: 9000 });
      expect(config.env).to.deep.equal([['HOME_DIR', '/home/u'], ['MISSING', '']]);
    });
    it('%(key) can name a real option, through an alias too', () => {
      const { config } = load(`${MINIMAL}workers = 3\nlisten = %(processes)00\n`);
      expect(config.listen).to.equal(300);
    });
    it('%% stays a percent', () => {
      expect(load(`${MINIMAL}env = RATE=100%%\n`).config.env).to.deep.equal([['RATE', '100%']]);
    });
    it('a custom placeholder key that nothing uses is an unknown option', () => {
      expect(() => load(`${MINIMAL}base = /srv\n`)).to.throw('app.ini: unknown option "base"');
    });
  });

  describe('layering with the command line', () => {
    it('a command-line value overrides the file', () => {
      const dir = temp.make({ 'app.ini': `[uwsgi]\n${MINIMAL}processes = 4\n` });
      const { config } = loadConfig({ ini: 'app.ini', cwd: dir, env: {}, cli: [{ key: 'workers', value: '8' }] });
      expect(config.processes).to.equal(8);
    });
    it("a repeatable option on the command line replaces the file's list", () => {
      const dir = temp.make({ 'app.ini': '[uwsgi]\nwsgi-file = a.js\nsocket = :1\nsocket = :2\nenv = A=1\n' });
      const { config } = loadConfig({ ini: 'app.ini', cwd: dir, env: {}, cli: [{ key: 'socket', value: ':3' }, { key: 'uwsgi-socket', value: ':4' }] });
      expect(config.socket.map((s) => s.text)).to.deep.equal([':3', ':4']);
      expect(config.env).to.deep.equal([['A', '1']]);
    });
    it('--module on the command line replaces the file\'s wsgi-file', () => {
      const dir = temp.make({ 'app.ini': `[uwsgi]\n${MINIMAL}` });
      const { config } = loadConfig({ ini: 'app.ini', cwd: dir, env: {}, cli: [{ key: 'module', value: 'pkg:app' }] });
      expect(config).to.include({ appFile: undefined, appPackage: 'pkg', callable: 'app' });
    });
    it('command-line paths resolve against cwd, file paths against the file', () => {
      const dir = temp.make({ 'conf/app.ini': `[uwsgi]\n${MINIMAL}pidfile = app.pid\n` });
      const { config } = loadConfig({ ini: 'conf/app.ini', cwd: dir, env: {}, cli: [{ key: 'logto', value: 'app.log' }] });
      expect(config.pidfile).to.equal(path.join(dir, 'conf/app.pid'));
      expect(config.logto).to.equal(path.join(dir, 'app.log'));
    });
    it('with chdir, command-line paths resolve against it too', () => {
      const dir = temp.make({ 'app.ini': `[uwsgi]\n${MINIMAL}chdir = /srv\n` });
      const { config } = loadConfig({ ini: 'app.ini', cwd: dir, env: {}, cli: [{ key: 'logto', value: 'app.log' }] });
      expect(config.logto).to.equal('/srv/app.log');
    });
    it('no ini at all: the command line alone, baseDir = cwd, section uwsgi', () => {
      const dir = temp.make();
      const { config } = loadConfig({ cwd: dir, env: {}, cli: [{ key: 'file', value: 'a.js' }, { key: 'http-socket', value: ':0' }] });
      expect(config).to.include({ iniFile: undefined, section: 'uwsgi', baseDir: dir, appFile: path.join(dir, 'a.js') });
    });
    it('--ini names the file like the positional', () => {
      const dir = temp.make({ 'x.ini': '[other]\nwsgi-file = a.js\nsocket = :1\nprocesses = 6\n' });
      const { config } = loadConfig({ cwd: dir, env: {}, cli: [{ key: 'ini', value: 'x.ini:other' }] });
      expect(config).to.include({ processes: 6, section: 'other', iniFile: path.join(dir, 'x.ini') });
    });
    it('section selection file.ini:other', () => {
      const dir = temp.make({ 'x.ini': `[uwsgi]\n${MINIMAL}processes = 2\n[other]\n${MINIMAL}processes = 3\n` });
      expect(loadConfig({ ini: 'x.ini:other', cwd: dir, env: {} }).config).to.include({ processes: 3, section: 'other' });
      expect(loadConfig({ ini: 'x.ini', cwd: dir, env: {} }).config).to.include({ processes: 2, section: 'uwsgi' });
    });
  });
});
