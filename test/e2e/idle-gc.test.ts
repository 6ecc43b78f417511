/**
 * idle-gc: a worker that served and then went idle gives back what its requests left in the
 * old generation, without a request to prompt it; idle-gc = 0 leaves the heap as it was.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { text } from '../support/http';

const MB = 1024 * 1024;

describe('idle-gc', function () {
  this.timeout(40_000);
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** The app thread's used heap right after a load that promoted garbage, and after `idleMs` idle. */
  const heapAfterLoad = async (idleGc: number, idleMs: number): Promise<{ loaded: number; idle: number }> => {
    const port = await pickPort();
    // V8's own memory reducer collects ~8 s after a full collection of the load's, and a marking
    // cycle the load started may finish while the worker idles (the heartbeat's allocations
    // step it): both off, so that only tsuwsgi's collection is measured, however slow the
    // machine makes the load. (Node 24 in CI once showed 40 MB → 7 MB with idle-gc = 0.)
    server = startServer({
      ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('heap-garbage.js'), processes: 1, 'idle-gc': idleGc, 'node-args': '--no-memory-reducer --no-incremental-marking' },
    });
    await server.ready();
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600; i++) await text(`${url}/garbage`);
    const loaded = Number(await text(`${url}/heap`));
    await new Promise((r) => setTimeout(r, idleMs));
    const idle = Number(await text(`${url}/heap`));
    return { loaded, idle };
  };

  it('collects the heap of a worker idle for idle-gc seconds after a load', async () => {
    const { loaded, idle } = await heapAfterLoad(1, 2500);
    expect(loaded - idle, `${loaded} bytes used after the load, ${idle} when idle`).to.be.above(4 * MB);
  });

  it('idle-gc = 0: an idle worker keeps the heap its load left', async () => {
    const { loaded, idle } = await heapAfterLoad(0, 2500);
    expect(Math.abs(loaded - idle), `${loaded} bytes used after the load, ${idle} when idle`).to.be.below(2 * MB);
  });
});
