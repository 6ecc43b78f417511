/** The Node.js options of workers and mules, and an app thread's heap limits. */
import { expect } from 'chai';
import { appThreadLimits, childExecArgv as execArgvFor, flagName, semiSpaceFor, splitNodeArgs, type ChildRole } from '../../../src/shared/node-args';

const config = (over: Partial<{ nodeArgs: string[]; maxSemiSpaceSize: number | 'auto'; idleGc: number; env: [string, string][] }> = {}) => ({
  nodeArgs: [], maxSemiSpaceSize: 2 as number | 'auto', idleGc: 1, env: [], ...over,
});

/** A worker's execArgv (the role matters only to max-semi-space-size = auto). */
const childExecArgv = (c: ReturnType<typeof config>, master: string[], nodeOptions: string | undefined, role: ChildRole = 'worker'): string[] =>
  execArgvFor(c, role, master, nodeOptions);

const v8Major = Number(process.versions.v8.split('.')[0]);

describe('shared/node-args', () => {
  it('splits every node-args setting on spaces, in order', () => {
    expect(splitNodeArgs(['--max-old-space-size=512  --trace-warnings', '', ' --enable-source-maps '])).to.deep.equal([
      '--max-old-space-size=512', '--trace-warnings', '--enable-source-maps',
    ]);
  });

  it("keeps the master's own options first, then tsuwsgi's own flags, then node-args (which win)", () => {
    expect(childExecArgv(config({ nodeArgs: ['--max-old-space-size=512'] }), ['--import', 'tsx'], undefined)).to.deep.equal([
      '--import', 'tsx', '--max-semi-space-size=2', '--no-concurrent-recompilation', '--max-old-space-size=512',
    ]);
  });

  it('compiles hot functions on the thread that runs them by default (no background compile arenas)', () => {
    expect(childExecArgv(config(), [], undefined)).to.deep.equal(['--max-semi-space-size=2', '--no-concurrent-recompilation']);
  });

  it('leaves the young generation to Node with max-semi-space-size = 0', () => {
    expect(childExecArgv(config({ maxSemiSpaceSize: 0 }), [], undefined)).to.deep.equal(['--no-concurrent-recompilation']);
  });

  it('adds no semi-space default when the user set the flag: node-args, the master, NODE_OPTIONS, env', () => {
    const rest = ['--no-concurrent-recompilation'];
    expect(childExecArgv(config({ nodeArgs: ['--max-semi-space-size=16'] }), [], undefined)).to.deep.equal([...rest, '--max-semi-space-size=16']);
    expect(childExecArgv(config(), ['--max-semi-space-size', '8'], undefined)).to.deep.equal(['--max-semi-space-size', '8', ...rest]);
    expect(childExecArgv(config(), [], '--trace-gc --max-semi-space-size=4')).to.deep.equal(rest);
    expect(childExecArgv(config({ env: [['NODE_OPTIONS', '--max-semi-space-size=1']] }), [], undefined)).to.deep.equal(rest);
  });

  it('adds no compile default when the user names the flag in either polarity or spelling, wherever', () => {
    const semi = '--max-semi-space-size=2';
    expect(childExecArgv(config({ nodeArgs: ['--concurrent-recompilation'] }), [], undefined)).to.deep.equal([semi, '--concurrent-recompilation']);
    expect(childExecArgv(config({ nodeArgs: ['--no_concurrent_recompilation'] }), [], undefined)).to.deep.equal([semi, '--no_concurrent_recompilation']);
    expect(childExecArgv(config(), ['--concurrent_recompilation'], undefined)).to.deep.equal(['--concurrent_recompilation', semi]);
    expect(childExecArgv(config(), [], '--concurrent-recompilation')).to.deep.equal([semi]);
    expect(childExecArgv(config({ env: [['NODE_OPTIONS', '--no-concurrent-recompilation']] }), [], undefined)).to.deep.equal([semi]);
  });

  it("reads the env option's NODE_OPTIONS, which the worker gets, rather than the master's", () => {
    expect(childExecArgv(config({ env: [['NODE_OPTIONS', '--trace-gc']] }), [], '--max-semi-space-size=4 --concurrent-recompilation')).to.deep.equal([
      '--max-semi-space-size=2', '--no-concurrent-recompilation',
    ]);
  });

  it('does not take a longer flag for one of its own', () => {
    expect(childExecArgv(config(), ['--max-semi-space-size-x=3', '--concurrent-recompilation-delay=1'], undefined)).to.deep.equal([
      '--max-semi-space-size-x=3', '--concurrent-recompilation-delay=1', '--max-semi-space-size=2', '--no-concurrent-recompilation',
    ]);
  });

  it('names the flag of an option as V8 reads it', () => {
    expect(['--max-semi-space-size=2', '--max_semi_space_size', '--no-concurrent-recompilation', '--concurrent_recompilation=0', '-r', 'tsx', '--']
      .map(flagName)).to.deep.equal(['max-semi-space-size', 'max-semi-space-size', 'concurrent-recompilation', 'concurrent-recompilation', null, null, null]);
  });

  it("gives an app thread three semi-spaces of young generation, or Node's default", () => {
    expect(appThreadLimits({ maxSemiSpaceSize: 2, idleGc: 1 })).to.deep.equal({ maxYoungGenerationSizeMb: 6 });
    expect(appThreadLimits({ maxSemiSpaceSize: 0, idleGc: 1 })).to.deep.equal({});
    expect(appThreadLimits({ maxSemiSpaceSize: 'auto', idleGc: 1 })).to.deep.equal({ maxYoungGenerationSizeMb: 3 * semiSpaceFor({ maxSemiSpaceSize: 'auto', idleGc: 1 }, 'worker') });
  });

  it('auto: 4 MB for a worker on V8 12+ with idle-gc on (its idle collection gives it back), else 1 MB', () => {
    const auto = (idleGc: number, role: ChildRole, major: number): number => semiSpaceFor({ maxSemiSpaceSize: 'auto', idleGc }, role, major);
    expect(auto(1, 'worker', 11)).to.equal(1);
    expect(auto(1, 'worker', 12)).to.equal(4);
    expect(auto(1, 'worker', 14)).to.equal(4);
    expect(auto(0, 'worker', 13)).to.equal(1);
    expect(auto(1, 'mule', 13)).to.equal(1);
    expect(semiSpaceFor({ maxSemiSpaceSize: 2, idleGc: 0 }, 'mule', 13)).to.equal(2);
    expect(semiSpaceFor({ maxSemiSpaceSize: 0, idleGc: 1 }, 'worker', 13)).to.equal(0);
  });

  it('auto in the execArgv of this Node line: a worker and a mule', () => {
    const c = config({ maxSemiSpaceSize: 'auto' });
    expect(childExecArgv(c, [], undefined, 'worker')).to.deep.equal([`--max-semi-space-size=${v8Major >= 12 ? 4 : 1}`, '--no-concurrent-recompilation']);
    expect(childExecArgv(c, [], undefined, 'mule')).to.deep.equal(['--max-semi-space-size=1', '--no-concurrent-recompilation']);
  });
});
