import { expect } from 'chai';
import { expandPlaceholders, referencedKeys, type PlaceholderContext } from '../../../src/config/placeholders';
import { errorOf } from './temp-ini';

function context(keys: Record<string, string> = {}, env: Record<string, string> = {}): PlaceholderContext {
  return { shown: 'conf/app.ini', absolutePath: '/srv/conf/app.ini', env, lookup: (k) => keys[k] };
}

describe('config/placeholders', () => {
  it('%d is the ini directory, absolute, with a trailing slash', () => {
    expect(expandPlaceholders('%dapp.js', 'wsgi-file', context())).to.equal('/srv/conf/app.js');
  });
  it('%d of a file at the root has a single slash', () => {
    const ctx = { ...context(), absolutePath: '/app.ini' };
    expect(expandPlaceholders('%d', 'chdir', ctx)).to.equal('/');
  });
  it('%n is the ini name without extension', () => {
    expect(expandPlaceholders('/run/%n.sock', 'socket', context())).to.equal('/run/app.sock');
  });
  it('%s %x %p %c name the file, its extension, its path and its directory', () => {
    expect(expandPlaceholders('%s|%x|%p|%c', 'k', context())).to.equal('app.ini|ini|/srv/conf/app.ini|conf');
  });
  it('%% is a literal percent, and does not start another placeholder', () => {
    expect(expandPlaceholders('100%%', 'k', context())).to.equal('100%');
    expect(expandPlaceholders('%%d', 'k', context())).to.equal('%d');
    expect(expandPlaceholders('%%(x)', 'k', context())).to.equal('%(x)');
  });
  it('other % sequences are kept as written', () => {
    expect(expandPlaceholders('50% off %q %', 'k', context())).to.equal('50% off %q %');
  });
  it('$(VAR) reads the environment; unset is empty, as in uWSGI', () => {
    const ctx = context({}, { PORT: '9000', HOME: '/home/u' });
    expect(expandPlaceholders(':$(PORT)', 'socket', ctx)).to.equal(':9000');
    expect(expandPlaceholders('$(HOME)/x$(NOPE)y', 'k', ctx)).to.equal('/home/u/xy');
  });
  it('%(key) is another key of the section, expanded in turn', () => {
    const ctx = context({ base: '%dsrv', app: '%(base)/app.js' });
    expect(expandPlaceholders('%(app)', 'wsgi-file', ctx)).to.equal('/srv/conf/srv/app.js');
  });
  it('an expanded value is not expanded again', () => {
    const ctx = context({ raw: '%%d' }, { V: '%d' });
    expect(expandPlaceholders('%(raw)', 'k', ctx)).to.equal('%d');
    expect(expandPlaceholders('$(V)', 'k', ctx)).to.equal('%d');
  });
  it('an unknown %(key) is E_CONFIG_PLACEHOLDER naming the key and its user', () => {
    const err = errorOf(() => expandPlaceholders('%(nope)', 'socket', context()));
    expect(err.code).to.equal('E_CONFIG_PLACEHOLDER');
    expect(err.message).to.equal('conf/app.ini: socket uses %(nope), but "nope" is not set in this section');
  });
  it('a cycle is E_CONFIG_PLACEHOLDER showing the chain', () => {
    const ctx = context({ a: '%(b)', b: 'x%(a)' });
    const err = errorOf(() => expandPlaceholders(ctx.lookup('a') ?? '', 'a', ctx));
    expect(err.code).to.equal('E_CONFIG_PLACEHOLDER');
    expect(err.message).to.equal('conf/app.ini: placeholder cycle: a -> b -> a');
  });
  it('a key referring to itself is a cycle', () => {
    const err = errorOf(() => expandPlaceholders('%(a)', 'a', context({ a: '%(a)' })));
    expect(err.message).to.contain('placeholder cycle: a -> a');
  });
  it('the same key used twice is not a cycle', () => {
    expect(expandPlaceholders('%(x)-%(x)', 'k', context({ x: '1' }))).to.equal('1-1');
  });
  it('referencedKeys lists %(key) names only', () => {
    expect(referencedKeys('%(a) $(B) %d %%(c) %(d)')).to.deep.equal(['a', 'd']);
  });
});
