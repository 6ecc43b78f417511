import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { findTsx, isTypeScriptFile, loaderSearchDirs, missingLoaderMessage, nativeTypeScript, withoutStripWarning } from '../../../src/app/typescript';
import { asNamespace } from '../../../src/app/load';
import { REPO } from '../../support/server';
import { tempDir } from '../../support/tmp';

describe('app/typescript: how a .ts app gets loaded', () => {
  it('knows .ts, .mts and .cts files, and nothing else', () => {
    for (const f of ['/a/app.ts', '/a/app.mts', '/a/app.cts']) expect(isTypeScriptFile(f), f).to.equal(true);
    for (const f of ['/a/app.js', '/a/app.mjs', '/a/app.d.tsx', '/a/ts', '/a/app.tsx']) expect(isTypeScriptFile(f), f).to.equal(false);
  });

  it("reads Node's own type support from process.features.typescript (absent before 22.10)", () => {
    expect(nativeTypeScript({ typescript: 'strip' })).to.equal('strip');
    expect(nativeTypeScript({ typescript: 'transform' })).to.equal('transform');
    expect(nativeTypeScript({ typescript: false })).to.equal(false);
    expect(nativeTypeScript({})).to.equal(false);
  });

  it("looks for tsx from the app's directory, then the working directory, each once", () => {
    expect(loaderSearchDirs('/srv/app/src/app.ts', '/srv/app')).to.deep.equal(['/srv/app/src', '/srv/app']);
    expect(loaderSearchDirs('/srv/app/app.ts', '/srv/app')).to.deep.equal(['/srv/app']);
  });

  it('finds tsx in node_modules up from a directory, and not where there is none', () => {
    const dir = tempDir();
    const nested = path.join(dir, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    expect(findTsx([nested])).to.equal(undefined);
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(REPO, 'node_modules', 'tsx'), path.join(dir, 'node_modules', 'tsx'));
    // The first directory that reaches one wins; resolution follows the symlink as Node does.
    expect(findTsx(['/nonexistent-dir', nested])).to.equal(fs.realpathSync(path.join(REPO, 'node_modules', 'tsx')));
  });

  it('the missing-loader message is one line naming the app, the Node version and what to install', () => {
    const msg = missingLoaderMessage('/srv/app/app.ts', 'v20.20.2');
    expect(msg).to.not.include('\n');
    expect(msg).to.include('/srv/app/app.ts').and.include('v20.20.2').and.include('cd /srv/app && npm install tsx').and.include('22.18');
  });

  it('drops only the type-stripping warning, only while loading, and puts process.emitWarning back', async () => {
    const passed: string[] = [];
    const original = process.emitWarning;
    const recorder = ((w: string | Error) => void passed.push(typeof w === 'string' ? w : w.message)) as typeof process.emitWarning;
    process.emitWarning = recorder;
    try {
      await withoutStripWarning(async () => {
        expect(process.emitWarning).to.not.equal(recorder);
        process.emitWarning('Type Stripping is an experimental feature and might change at any time', 'ExperimentalWarning');
        process.emitWarning(new Error('something else'));
      });
      expect(process.emitWarning).to.equal(recorder);
      expect(passed).to.deep.equal(['something else']);
    } finally {
      process.emitWarning = original;
    }
  });
});

describe('app/load: module.exports as a namespace', () => {
  it('a plain CommonJS export is the default, its properties the named exports', () => {
    const fn = Object.assign(() => 'x', { application: 1 });
    const ns = asNamespace(fn);
    expect(ns.default).to.equal(fn);
    expect(ns.application).to.equal(1);
    expect(asNamespace(5)).to.deep.equal({ default: 5 });
  });

  it('a module compiled from ESM (__esModule) keeps its own default export', () => {
    const handler = (): void => undefined;
    const compiled = Object.defineProperty({ default: handler, other: 2 }, '__esModule', { value: true });
    const ns = asNamespace(compiled);
    expect(ns.default).to.equal(handler);
    expect(ns.other).to.equal(2);
  });

  it('an ES module namespace (what require(esm) returns on Node 20.19+ and 22.12+) is taken as it is', async () => {
    const source = 'data:text/javascript,export default 7; export const a = 1;';
    const ns = (await import(source)) as Record<string, unknown>;
    const got = asNamespace(ns);
    expect(got).to.equal(ns);
    expect(got.default).to.equal(7);
  });
});
