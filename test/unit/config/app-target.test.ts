import { expect } from 'chai';
import { parseModule } from '../../../src/config/app-target';

const ok = (text: string) => {
  const parsed = parseModule(text, '/base');
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.value;
};
const bad = (text: string) => {
  const parsed = parseModule(text, '/base');
  if (!('problem' in parsed)) throw new Error(`expected a problem for ${text}`);
  return parsed.problem;
};

describe('config/app-target (module)', () => {
  it('a relative path with a callable', () => {
    expect(ok('./app.js:server')).to.deep.equal({ appFile: '/base/app.js', appPackage: undefined, callable: 'server' });
  });
  it('paths are recognised by a leading . or /, a /, or a script extension', () => {
    expect(ok('/srv/app.mjs').appFile).to.equal('/srv/app.mjs');
    expect(ok('../app').appFile).to.equal('/app');
    expect(ok('lib/app').appFile).to.equal('/base/lib/app');
    for (const ext of ['js', 'mjs', 'cjs', 'ts']) expect(ok(`app.${ext}`).appFile).to.equal(`/base/app.${ext}`);
  });
  it('anything else is a package name, scoped packages included', () => {
    expect(ok('my-app:app')).to.deep.equal({ appFile: undefined, appPackage: 'my-app', callable: 'app' });
    expect(ok('@acme/web')).to.deep.equal({ appFile: undefined, appPackage: '@acme/web', callable: undefined });
    expect(ok('myapp.wsgi:application')).to.include({ appPackage: 'myapp.wsgi', callable: 'application' });
  });
  it('without a colon the callable is left to the callable option or the loader', () => {
    expect(ok('app.js').callable).to.equal(undefined);
  });
  it('rejects an empty target or an empty callable', () => {
    expect(bad('')).to.contain('expected path/to/app.js');
    expect(bad(':app')).to.contain('expected path/to/app.js');
    expect(bad('app.js:')).to.contain('nothing after ":"');
  });
});
