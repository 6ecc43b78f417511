/**
 * The app loader's export shapes that need waiting for: an exported promise (what a CommonJS
 * NestJS or Next.js entry exports) and a Fastify instance (ready() awaited, routing served).
 * The frameworks themselves run in test/e2e/frameworks/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadApp } from '../../../src/app/load';
import type { TsuwsgiError } from '../../../src/shared/errors';
import { tempDir } from '../../support/tmp';

function appFile(source: string): string {
  const file = path.join(tempDir(), 'app.js');
  fs.writeFileSync(file, source);
  return file;
}

const load = (appFile: string) => loadApp({ appFile, appPackage: undefined, callable: undefined, baseDir: path.dirname(appFile) });

async function loadError(file: string): Promise<TsuwsgiError> {
  try {
    await load(file);
  } catch (err) {
    return err as TsuwsgiError;
  }
  throw new Error('the app loaded');
}

describe('app/load: exports that are waited for', () => {
  it('an exported promise: its value is the app, once it resolves', async () => {
    const app = await load(appFile("module.exports = new Promise((r) => setTimeout(() => r(function late(req, res) {}), 20));"));
    expect(app.kind).to.equal('node');
    expect(app.listener.name).to.equal('late');
  });

  it('an exported promise that rejects: E_APP_LOAD naming the file and the reason', async () => {
    const file = appFile("module.exports = Promise.reject(new Error('no database'));");
    const err = await loadError(file);
    expect(err.code).to.equal('E_APP_LOAD');
    expect(err.message).to.match(new RegExp(`^${file}: the app's exported promise rejected: Error: no database`));
  });

  it('a Fastify instance: ready() is awaited once, then routing is the listener', async () => {
    const app = await load(appFile(`
      const instance = { readied: 0, ready() { return new Promise((r) => setTimeout(() => { this.readied++; r(this); }, 20)); }, routing: function routing(req, res) {} };
      module.exports = instance;`));
    expect(app.kind).to.equal('fastify');
    expect(app.listener.name).to.equal('routing');
    expect((require(app.source) as { readied: number }).readied).to.equal(1);
  });

  it("a Fastify instance whose ready() fails (a plugin that cannot load): E_APP_LOAD naming it", async () => {
    const file = appFile("module.exports = { ready: () => Promise.reject(new Error('plugin timed out')), routing() {} };");
    const err = await loadError(file);
    expect(err.code).to.equal('E_APP_LOAD');
    expect(err.message).to.match(new RegExp(`^${file}: the Fastify instance's ready\\(\\) failed: Error: plugin timed out`));
  });

  it('an exported promise of a Fastify instance: both are waited for', async () => {
    const app = await load(appFile("module.exports = Promise.resolve({ ready: async () => undefined, routing: function routing() {} });"));
    expect(app.kind).to.equal('fastify');
  });
});
