import { expect } from 'chai';
import { methodUnder } from '../../../src/server/own-hooks';

/** A class method, a hook put on an instance, and whatever a framework does with the instance. */
class Base {
  calls: string[] = [];
  end(): string {
    this.calls.push('base');
    return 'base';
  }
}

function hook(this: Base): string {
  this.calls.push('hook');
  return methodUnder(this, 'end', hook).call(this) as string;
}

function hooked(): Base {
  const b = new Base();
  (b as unknown as { end: unknown }).end = hook;
  return b;
}

describe('server/own-hooks', () => {
  it('calls the class method under a hook on the instance', () => {
    const b = hooked();
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['hook', 'base']);
  });

  it("after a framework set the instance's prototype (as Express does), the hook calls the framework's method", () => {
    const b = hooked();
    const framework = Object.create(Base.prototype) as Base;
    framework.end = function (this: Base): string {
      this.calls.push('framework');
      return Base.prototype.end.call(this);
    };
    Object.setPrototypeOf(b, framework);
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['hook', 'framework', 'base']);
  });

  it('a call on an object made from the instance (Object.create) goes through the hook once, not forever', () => {
    const b = hooked();
    const derived = Object.create(b) as Base;
    derived.calls = [];
    expect(derived.end()).to.equal('base');
    expect(derived.calls).to.deep.equal(['hook', 'base']);
  });

  it('a wrapper put over the hook (as compression does) calls the hook, which calls what is under it', () => {
    const b = hooked();
    const saved = b.end.bind(b);
    b.end = (): string => {
      b.calls.push('wrapper');
      return saved();
    };
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['wrapper', 'hook', 'base']);
  });

  it('a hook no object holds any more (replaced by another hook) calls what the instance inherits', () => {
    const b = new Base();
    expect(methodUnder(b, 'end', hook)).to.equal(Base.prototype.end);
  });
});
