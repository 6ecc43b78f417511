/** The master's own V8 flag: its young generation does not grow, unless the user sizes it. */
import { expect } from 'chai';
import { masterV8Flags } from '../../../src/cli/master-v8-flags';

describe('cli/master-v8-flags', () => {
  it('keeps the young generation at its initial size by default', () => {
    expect(masterV8Flags([], undefined)).to.deep.equal(['--semi-space-growth-factor=1']);
    expect(masterV8Flags(['--import', 'tsx'], '--trace-warnings')).to.deep.equal(['--semi-space-growth-factor=1']);
  });

  it("sets nothing when the user sizes the young generation, in the master's execArgv or NODE_OPTIONS, in any spelling", () => {
    expect(masterV8Flags(['--max-semi-space-size=8'], undefined)).to.deep.equal([]);
    expect(masterV8Flags(['--max_semi_space_size', '8'], undefined)).to.deep.equal([]);
    expect(masterV8Flags([], '--trace-gc --min-semi-space-size=4')).to.deep.equal([]);
    expect(masterV8Flags([], '--semi-space-growth-factor=4')).to.deep.equal([]);
  });
});
