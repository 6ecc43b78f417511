import { expect } from 'chai';
import { hooked, methodUnder } from '../../../src/server/own-hooks';

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
  return methodUnder(this, 'end').call(this) as string;
}

function withHook(): Base {
  const b = new Base();
  (b as unknown as { end: unknown }).end = hook;
  hooked(b);
  return b;
}

describe('server/own-hooks', () => {
  it('calls the class method under a hook on the instance', () => {
    const b = withHook();
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['hook', 'base']);
  });

  it("after a framework set the instance's prototype (as Express does), the hook calls the framework's method", () => {
    const b = withHook();
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
    const b = withHook();
    const derived = Object.create(b) as Base;
    derived.calls = [];
    expect(derived.end()).to.equal('base');
    expect(derived.calls).to.deep.equal(['hook', 'base']);
  });

  it('a wrapper put over the hook (as compression does) calls the hook, which calls what is under it', () => {
    const b = withHook();
    const saved = b.end.bind(b);
    b.end = (): string => {
      b.calls.push('wrapper');
      return saved();
    };
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['wrapper', 'hook', 'base']);
  });

  it("two hooks on one instance, the outer calling the inner it replaced (limit-post's over post-buffering's): each once, also from a derived object", () => {
    const kInner = Symbol('inner');
    type Twice = Base & { [kInner]?: () => string };
    function inner(this: Base): string {
      this.calls.push('inner');
      return methodUnder(this, 'end').call(this) as string;
    }
    function outer(this: Twice): string {
      this.calls.push('outer');
      return (this[kInner] ?? methodUnder(this, 'end')).call(this) as string;
    }
    const b = withHook() as Twice;
    (b as unknown as { end: unknown }).end = inner;
    b[kInner] = b.end;
    (b as unknown as { end: unknown }).end = outer;
    expect(b.end()).to.equal('base');
    expect(b.calls).to.deep.equal(['outer', 'inner', 'base']);
    const derived = Object.create(b) as Twice;
    derived.calls = [];
    expect(derived.end()).to.equal('base');
    expect(derived.calls).to.deep.equal(['outer', 'inner', 'base']);
  });

  it('an object no hook was put on gets what it inherits', () => {
    expect(methodUnder(new Base(), 'end')).to.equal(Base.prototype.end);
  });
});
