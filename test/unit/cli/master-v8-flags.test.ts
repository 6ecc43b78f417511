/** The master's own V8 flags: its young generation does not grow and its code is interpreted, unless the user says otherwise. */
import { expect } from 'chai';
import { masterV8Flags } from '../../../src/cli/master-v8-flags';

describe('cli/master-v8-flags', () => {
  const TIERS = ['--no-opt', '--no-sparkplug', '--no-maglev', '--optimize-for-size'];

  it('keeps the young generation at its initial size and interprets its code by default', () => {
    expect(masterV8Flags([], undefined)).to.deep.equal(['--semi-space-growth-factor=1', ...TIERS]);
    expect(masterV8Flags(['--import', 'tsx'], '--trace-warnings')).to.deep.equal(['--semi-space-growth-factor=1', ...TIERS]);
  });

  it("leaves the young generation when the user sizes it, in the master's execArgv or NODE_OPTIONS, in any spelling", () => {
    expect(masterV8Flags(['--max-semi-space-size=8'], undefined)).to.deep.equal(TIERS);
    expect(masterV8Flags(['--max_semi_space_size', '8'], undefined)).to.deep.equal(TIERS);
    expect(masterV8Flags([], '--trace-gc --min-semi-space-size=4')).to.deep.equal(TIERS);
    expect(masterV8Flags([], '--semi-space-growth-factor=4')).to.deep.equal(TIERS);
  });

  it('leaves the compiler tiers when the user names any of them, either way', () => {
    for (const flag of ['--opt', '--no-opt', '--sparkplug', '--no_sparkplug', '--maglev', '--turbofan', '--jitless', '--lite-mode', '--optimize-for-size']) {
      expect(masterV8Flags([flag], undefined), flag).to.deep.equal(['--semi-space-growth-factor=1']);
      expect(masterV8Flags([], `--trace-gc ${flag}`), flag).to.deep.equal(['--semi-space-growth-factor=1']);
    }
    expect(masterV8Flags(['--max-semi-space-size=8', '--opt'], undefined)).to.deep.equal([]);
  });
});
