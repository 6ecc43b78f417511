/**
 * mute-stacks: stack capture off around a call that reports EAGAIN by throwing, back on after,
 * and no TypeError from it when an app froze Error.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { muteStacks, restoreStacks } from '../../../src/server/mute-stacks';

describe('server/mute-stacks', () => {
  it('turns stack capture off and restores the limit it found', () => {
    const before = Error.stackTraceLimit;
    const limit = muteStacks();
    try {
      expect(limit).to.equal(before);
      expect(Error.stackTraceLimit).to.equal(0);
      expect(new Error('x').stack).to.equal('Error: x');
    } finally {
      restoreStacks(limit);
    }
    expect(Error.stackTraceLimit).to.equal(before);
    expect(new Error('y').stack).to.contain('\n    at ');
  });

  it('with Error frozen by the app: no throw, and the stack is built as usual', () => {
    // A process of its own: freezing Error here would change every later test.
    const src = path.join(__dirname, '..', '..', '..', 'src', 'server', 'mute-stacks.ts');
    const script = `
      const { muteStacks, restoreStacks } = require(${JSON.stringify(src)});
      Object.freeze(Error);
      const results = [];
      for (let i = 0; i < 3; i++) {
        const limit = muteStacks();
        results.push(new Error('e').stack.includes('\\n    at '));
        restoreStacks(limit);
      }
      process.stdout.write(JSON.stringify({ results, limit: Error.stackTraceLimit }));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ results: [true, true, true], limit: 10 });
  });
});
