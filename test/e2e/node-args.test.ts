/**
 * The Node.js options of workers (node-args, max-semi-space-size, tsuwsgi's own V8 flags): what
 * the app's process and its app threads really run with, read from inside the app.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess, type IniValues } from '../support/server';
import { text } from '../support/http';

interface NodeView {
  threadId: number;
  execArgv: string[];
  resourceLimits: { maxYoungGenerationSizeMb?: number };
  heapLimit: number;
  concurrentRecompilation: boolean;
}

describe('node-args and max-semi-space-size: what the app runs with', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;

  const serve = async (ini: IniValues): Promise<string> => {
    const port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), processes: 1, ...ini } });
    await server.ready();
    return `http://127.0.0.1:${port}`;
  };
  const view = async (url: string): Promise<NodeView> => JSON.parse(await text(`${url}/node`)) as NodeView;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  // auto: 4 MB where the idle collection gives the young generation back (V8 12+), else 1 MB.
  const autoMb = Number(process.versions.v8.split('.')[0]) >= 12 ? 4 : 1;

  it(`by default a worker runs with a ${autoMb} MB semi-space on Node ${process.versions.node.split('.')[0]}, and an app thread with the same young generation`, async () => {
    const one = await view(await serve({ threads: 1 }));
    expect(one.execArgv).to.include(`--max-semi-space-size=${autoMb}`);
    await server?.stop();
    const url = await serve({ threads: 2, 'threads-min': 2 });
    const seen = new Map<number, NodeView>();
    for (let i = 0; i < 200 && seen.size < 2; i++) {
      const v = await view(url);
      seen.set(v.threadId, v);
    }
    expect([...seen.values()].map((v) => v.resourceLimits.maxYoungGenerationSizeMb)).to.deep.equal([3 * autoMb, 3 * autoMb]);
  });

  it('with idle-gc = 0 the default is 1 MB on every Node line: nothing would give a larger one back', async () => {
    const v = await view(await serve({ threads: 1, 'idle-gc': 0 }));
    expect(v.execArgv).to.include('--max-semi-space-size=1');
  });

  it('by default a worker compiles hot functions on its own thread; --concurrent-recompilation in node-args gives them back to V8', async () => {
    const ours = await view(await serve({ threads: 1 }));
    expect(ours.execArgv).to.include('--no-concurrent-recompilation');
    expect(ours.concurrentRecompilation).to.equal(false);
    await server?.stop();
    const theirs = await view(await serve({ threads: 1, 'node-args': '--concurrent-recompilation' }));
    expect(theirs.execArgv.filter((a) => a.includes('concurrent-recompilation'))).to.deep.equal(['--concurrent-recompilation']);
    expect(theirs.concurrentRecompilation).to.equal(true);
  });

  it('node-args reach the worker, after the default, and the flags take effect; a semi-space flag of the user replaces the default', async () => {
    const v = await view(await serve({ 'node-args': '--max-old-space-size=200 --max-semi-space-size=8' }));
    expect(v.execArgv.slice(-2)).to.deep.equal(['--max-old-space-size=200', '--max-semi-space-size=8']);
    expect(v.execArgv.filter((a) => a.startsWith('--max-semi-space-size'))).to.deep.equal(['--max-semi-space-size=8']);
    // V8's heap limit is the old generation plus the young one: 200 MB and a few, not Node's GBs.
    expect(v.heapLimit / 2 ** 20).to.be.within(200, 260);
  });

  it('max-semi-space-size = 0 leaves the young generation to Node', async () => {
    const v = await view(await serve({ 'max-semi-space-size': 0, threads: 2, 'threads-min': 2 }));
    expect(v.execArgv.some((a) => a.startsWith('--max-semi-space-size'))).to.equal(false);
    expect(v.resourceLimits.maxYoungGenerationSizeMb ?? 0).to.not.equal(6);
  });
});
