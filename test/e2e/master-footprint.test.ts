/**
 * What an idle master holds (docs/design-notes.md, "Memory"), read inside the real master by a
 * preload (NODE_OPTIONS) as it exits: how large its young generation grows when objects survive
 * scavenges (its own V8 flag, src/cli/master-v8-flags.ts), and which modules it loaded. And
 * which modules a worker that served a uwsgi request loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess, type IniValues } from '../support/server';
import { tempDir } from '../support/tmp';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';

/** A function hot enough for every compiler tier V8 has. */
const HOT = 'function (n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }';

const PRELOAD = `
if (/bin[\\\\/]tsuwsgi$/.test(process.argv[1] || '')) {
  process.on('exit', () => {
    const modules = [...Object.keys(require.cache), ...process.moduleLoadList.filter((m) => m.startsWith('NativeModule '))];
    const v8 = require('v8');
    const keep = [];
    // A count, not a time: the master interprets its code (no JIT), and a starved one would
    // allocate too little in a fixed time for the young generation to have a reason to grow.
    for (let r = 0; r < 600; r++) { const a = []; for (let i = 0; i < 1000; i++) a.push({ i }); keep.push(a); if (keep.length > 200) keep.shift(); }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const codeBefore = v8.getHeapCodeStatistics().code_and_metadata_size;
    const hot = ${HOT};
    let sum = 0;
    for (let k = 0; k < 2000; k++) sum += hot(1000);
    const code = v8.getHeapCodeStatistics().code_and_metadata_size - codeBefore;
    require('fs').writeFileSync(process.env.FOOTPRINT_OUT, JSON.stringify({ young, modules, code, sum }));
  });
}
`;

interface Footprint {
  young: number;
  modules: string[];
  /** Machine code V8 made for a hot function, in bytes. */
  code: number;
}

const MB = 1024 * 1024;

describe('what an idle master holds', function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const footprint = async (ini: IniValues, nodeOptions = ''): Promise<Footprint> => {
    const dir = tempDir();
    const preload = path.join(dir, 'footprint.js');
    const out = path.join(dir, 'footprint.json');
    fs.writeFileSync(preload, PRELOAD);
    const port = await pickPort();
    server = startServer({
      ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), processes: 1, ...ini },
      env: { NODE_OPTIONS: `--require ${preload} ${nodeOptions}`, FOOTPRINT_OUT: out },
    });
    await server.ready();
    await server.stop();
    server = undefined;
    return JSON.parse(fs.readFileSync(out, 'utf8')) as Footprint;
  };
  const loaded = (f: Footprint, re: RegExp): string[] => f.modules.filter((m) => re.test(m));
  const STATS = /master[\\/]stats[\\/](stats-service|stats-server|prometheus|document)\.js$/;
  const CHEAPER = /master[\\/]cheaper[\\/]/;
  const CRYPTO = /^NativeModule crypto$/;

  it('keeps its young generation at its initial size, and loads no stats, cheaper or crypto code it was not asked for', async () => {
    // Node 24's V8 grows the young generation past the growth factor now and then when the
    // process is starved of CPU (3 of 12 masters run at once on 2 cores: 6.5-8.4 MB; once in a
    // CI run, in two masters in a row once, and on an idle machine in three in a row: 2.6, 3.7,
    // 6.8 MB, 1 of 8 runs of this file, the build before session 27 as well). So up to five
    // masters are measured, and one must keep it: without the flag every master grows it (the
    // NODE_OPTIONS test below), so this still fails when the flag is lost.
    const grown: number[] = [];
    let f = await footprint({});
    while (f.young > 2 * MB && grown.push(f.young) < 5) f = await footprint({});
    expect(grown, `young generation sizes over 2 MiB: ${grown.join(', ')}`).to.have.length.below(5);
    expect(loaded(f, STATS)).to.deep.equal([]);
    expect(loaded(f, CHEAPER)).to.deep.equal([]);
    expect(loaded(f, CRYPTO)).to.deep.equal([]);
  });

  it('runs in the interpreter: a hot function gets no machine code in the master (it does in this process)', async () => {
    const f = await footprint({});
    expect(f.code).to.equal(0);
    // The same measurement where V8 compiles as usual: the test's own process.
    const codeBefore = v8.getHeapCodeStatistics().code_and_metadata_size;
    const hot = new Function(`return ${HOT}`)() as (n: number) => number;
    let sum = 0;
    for (let k = 0; k < 2000; k++) sum += hot(1000);
    expect(sum).to.be.above(0);
    expect(v8.getHeapCodeStatistics().code_and_metadata_size - codeBefore).to.be.above(0);
  });

  it("leaves the young generation to the user's own flag (NODE_OPTIONS)", async () => {
    // V8 grows it while the master loads, usually: once in a CI run on Node 24 it stayed at 1 MB.
    // So up to three masters are measured and one must grow it; with tsuwsgi's flag over the
    // user's (the fault this test is for), none can.
    const sizes: number[] = [];
    while (sizes.length < 3 && !sizes.some((y) => y > 2 * MB)) sizes.push((await footprint({}, '--max-semi-space-size=8')).young);
    expect(Math.max(...sizes), `young generation sizes: ${sizes.join(', ')}`).to.be.above(2 * MB);
  });

  it('loads them when stats, cheaper and a pidfile are set', async () => {
    const dir = tempDir();
    const f = await footprint({ stats: path.join(dir, 'stats.sock'), processes: 2, cheaper: 1, pidfile: path.join(dir, 'pid') });
    expect(loaded(f, STATS)).to.have.length(4);
    expect(loaded(f, CHEAPER)).to.not.deep.equal([]);
    expect(loaded(f, CRYPTO)).to.deep.equal(['NativeModule crypto']);
  });
});

/**
 * The master's used heap outside the young generation, sampled every 100 ms into a file. The
 * young generation's fill swings by up to its size between two scavenges, by chance of timing:
 * what the idle collection gives back is what survived them.
 */
const HEAP_PRELOAD = `
if (/bin[\\\\/]tsuwsgi$/.test(process.argv[1] || '')) {
  const v8 = require('v8');
  const fs = require('fs');
  const oldUsed = () => v8.getHeapSpaceStatistics().filter((s) => !/^new_/.test(s.space_name)).reduce((n, s) => n + s.space_used_size, 0);
  // Written aside and renamed: the test must never read the file between its truncation and its write.
  setInterval(() => {
    fs.writeFileSync(process.env.HEAP_OUT + '.tmp', String(oldUsed()));
    fs.renameSync(process.env.HEAP_OUT + '.tmp', process.env.HEAP_OUT);
  }, 100).unref();
}
`;

describe("the master's idle collection", function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** The master's used heap outside the young generation 2.5 s after it is ready. */
  const masterHeap = async (idleGc: number): Promise<number> => {
    const dir = tempDir();
    const preload = path.join(dir, 'heap.js');
    const out = path.join(dir, 'heap.txt');
    fs.writeFileSync(preload, HEAP_PRELOAD);
    const port = await pickPort();
    server = startServer({
      ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), processes: 1, 'idle-gc': idleGc },
      env: { NODE_OPTIONS: `--require ${preload}`, HEAP_OUT: out },
    });
    await server.ready();
    await new Promise((r) => setTimeout(r, 2500));
    const used = Number(fs.readFileSync(out, 'utf8'));
    await server.stop();
    server = undefined;
    return used;
  };

  it('gives back what reading the config, binding and spawning left, once it is ready (idle-gc = 0: kept)', async () => {
    const kept = await masterHeap(0);
    const collected = await masterHeap(1);
    // ~400 KB since session 25 (pino no longer loaded, the master interpreted: less start-up
    // garbage; 0.5–0.6 MB before); two masters with idle-gc = 0 differ by ~10 KB.
    expect(kept - collected, `${kept} bytes used with idle-gc = 0, ${collected} with idle-gc = 1`).to.be.above(256 * 1024);
  });
});

const WORKER_PRELOAD = `
if (/worker[\\\\/]main\\.js$/.test(process.argv[1] || '')) {
  process.on('exit', () => {
    const modules = [...Object.keys(require.cache), ...process.moduleLoadList.filter((m) => m.startsWith('NativeModule '))];
    require('fs').writeFileSync(process.env.FOOTPRINT_OUT + '.' + process.pid, JSON.stringify(modules));
  });
}
`;

describe('what a uwsgi worker loads', function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** The modules of the one worker of a server with `ini` on a uwsgi socket, once it served a GET and a POST. */
  const workerModules = async (ini: IniValues, app = 'echo.js'): Promise<string[]> => {
    const dir = tempDir();
    const preload = path.join(dir, 'footprint.js');
    const out = path.join(dir, 'footprint.json');
    const sock = path.join(dir, 'app.sock');
    fs.writeFileSync(preload, WORKER_PRELOAD);
    server = startServer({
      ini: { socket: sock, 'wsgi-file': fixtureApp(app), processes: 1, ...ini },
      env: { NODE_OPTIONS: `--require ${preload}`, FOOTPRINT_OUT: out },
    });
    await server.ready();
    const get = await exchange({ path: sock }, [encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', SERVER_PROTOCOL: 'HTTP/1.1' })]);
    expect(get.toString('latin1')).to.match(/^HTTP\/1\.1 200 /);
    const body = Buffer.from('x'.repeat(100));
    const post = await exchange({ path: sock }, [
      encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: '/', SERVER_PROTOCOL: 'HTTP/1.1', CONTENT_LENGTH: String(body.length) }),
      body,
    ]);
    expect(post.toString('latin1')).to.match(/^HTTP\/1\.1 200 /);
    await server.stop();
    server = undefined;
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('footprint.json.'));
    expect(files).to.have.length(1);
    const modules = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')) as string[];
    expect(modules.some((m) => /server[\\/]uwsgi-connection\.js$/.test(m))).to.equal(true);
    return modules;
  };
  /** What a worker needs only when configured for it, by what configures it. */
  const OPTIONAL: Record<string, RegExp> = {
    'http-socket': /server[\\/]http-(socket|server|upgrade|client-error|limits)\.js$/,
    'fetch app': /app[\\/](fetch-adapter|request-url)\.js$/,
    harakiri: /worker[\\/]harakiri[\\/](supervise|sweep|watchdog)\.js$/,
    'threads > 1': /worker[\\/]host[\\/](app-threads|demand-watch|thread-demand)\.js$/,
    'post-buffering': /server[\\/](post-buffer|body-file)\.js$/,
  };
  const optionalLoaded = (modules: string[]): Record<string, number> =>
    Object.fromEntries(Object.entries(OPTIONAL).map(([what, re]) => [what, modules.filter((m) => re.test(m)).length]));

  it('no node:crypto for a request (post-buffering names a body file with it only without O_TMPFILE)', async () => {
    const modules = await workerModules({ 'post-buffering': 4096 });
    expect(modules.filter((m) => m === 'NativeModule crypto')).to.deep.equal([]);
  });

  it('no code for what it was not configured for: http-socket, fetch apps, harakiri, app threads, post-buffering', async () => {
    expect(optionalLoaded(await workerModules({}))).to.deep.equal({ 'http-socket': 0, 'fetch app': 0, harakiri: 0, 'threads > 1': 0, 'post-buffering': 0 });
  });

  it('each of them once it is configured', async () => {
    const port = await pickPort();
    const loaded = optionalLoaded(
      await workerModules({ 'http-socket': `127.0.0.1:${port}`, harakiri: 30, threads: 2, 'post-buffering': 16 }, 'fetch-echo.mjs'),
    );
    for (const [what, count] of Object.entries(loaded)) expect(count, what).to.be.above(0);
  });
});
