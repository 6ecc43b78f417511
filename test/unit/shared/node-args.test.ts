/** The Node.js options of workers and mules, and an app thread's heap limits. */
import { expect } from 'chai';
import { appThreadLimits, childExecArgv, splitNodeArgs } from '../../../src/shared/node-args';

const config = (over: Partial<{ nodeArgs: string[]; maxSemiSpaceSize: number; env: [string, string][] }> = {}) => ({
  nodeArgs: [], maxSemiSpaceSize: 2, env: [], ...over,
});

describe('shared/node-args', () => {
  it('splits every node-args setting on spaces, in order', () => {
    expect(splitNodeArgs(['--max-old-space-size=512  --trace-warnings', '', ' --enable-source-maps '])).to.deep.equal([
      '--max-old-space-size=512', '--trace-warnings', '--enable-source-maps',
    ]);
  });

  it("keeps the master's own options first, then the semi-space default, then node-args (which win)", () => {
    expect(childExecArgv(config({ nodeArgs: ['--max-old-space-size=512'] }), ['--import', 'tsx'], undefined)).to.deep.equal([
      '--import', 'tsx', '--max-semi-space-size=2', '--max-old-space-size=512',
    ]);
  });

  it('leaves the young generation to Node with max-semi-space-size = 0', () => {
    expect(childExecArgv(config({ maxSemiSpaceSize: 0 }), [], undefined)).to.deep.equal([]);
  });

  it('adds no default when the user set the flag: node-args, the master, NODE_OPTIONS, env', () => {
    expect(childExecArgv(config({ nodeArgs: ['--max-semi-space-size=16'] }), [], undefined)).to.deep.equal(['--max-semi-space-size=16']);
    expect(childExecArgv(config(), ['--max-semi-space-size', '8'], undefined)).to.deep.equal(['--max-semi-space-size', '8']);
    expect(childExecArgv(config(), [], '--trace-gc --max-semi-space-size=4')).to.deep.equal([]);
    expect(childExecArgv(config({ env: [['NODE_OPTIONS', '--max-semi-space-size=1']] }), [], undefined)).to.deep.equal([]);
  });

  it("reads the env option's NODE_OPTIONS, which the worker gets, rather than the master's", () => {
    expect(childExecArgv(config({ env: [['NODE_OPTIONS', '--trace-gc']] }), [], '--max-semi-space-size=4')).to.deep.equal(['--max-semi-space-size=2']);
  });

  it('does not take a longer flag for the semi-space one', () => {
    expect(childExecArgv(config(), ['--max-semi-space-size-x=3'], undefined)).to.deep.equal(['--max-semi-space-size-x=3', '--max-semi-space-size=2']);
  });

  it("gives an app thread three semi-spaces of young generation, or Node's default", () => {
    expect(appThreadLimits({ maxSemiSpaceSize: 2 })).to.deep.equal({ maxYoungGenerationSizeMb: 6 });
    expect(appThreadLimits({ maxSemiSpaceSize: 0 })).to.deep.equal({});
  });
});
