/**
 * ES module apps in `.js` files (a package with "type": "module") and CommonJS compiled from
 * ESM (tsc, esbuild: `__esModule` with `exports.default`) are found by their default export.
 * Node 20.19+ and 22.12+ load ES modules with require() and hand back their namespace; the
 * loader took that namespace for the app itself (E_APP_CALLABLE), and refused top-level await.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';

function appDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('ES module apps and CommonJS compiled from ESM', function () {
  this.timeout(30_000);
  let running: BehindNginx | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('app.js in a "type": "module" package, default export', async () => {
    const dir = appDir({
      'package.json': '{ "type": "module" }',
      'app.js': "export default (req, res) => res.end('esm default ' + req.url);\n",
    });
    running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'app.js'), threads: 2 }, dir);
    expect((await request(`${running.nginx.url}/a`)).body.toString()).to.equal('esm default /a');
  });

  it('app.js in a "type": "module" package with top-level await', async () => {
    const dir = appDir({
      'package.json': '{ "type": "module" }',
      'app.js': "const greeting = await Promise.resolve('awaited');\nexport default (req, res) => res.end(greeting);\n",
    });
    running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'app.js') }, dir);
    expect((await request(`${running.nginx.url}/`)).body.toString()).to.equal('awaited');
  });

  it('CommonJS compiled from ESM: exports.default with __esModule', async () => {
    const dir = appDir({
      'app.js': [
        "'use strict';",
        "Object.defineProperty(exports, '__esModule', { value: true });",
        "exports.default = (req, res) => res.end('compiled default');",
        "exports.helper = () => 'not the app';",
        '',
      ].join('\n'),
    });
    running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'app.js') }, dir);
    expect((await request(`${running.nginx.url}/`)).body.toString()).to.equal('compiled default');
  });
});
