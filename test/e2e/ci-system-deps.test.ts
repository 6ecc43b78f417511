/**
 * .ci/system-deps, npm test's first step: where it cannot install (not root, or no apt-get) and
 * something is missing, the run stops before any test with the line to type.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO } from '../support/server';
import { NOBODY } from '../support/nobody-install';

const SCRIPT = path.join(REPO, '.ci', 'system-deps');

describe('.ci/system-deps (npm test\'s pretest)', () => {
  it('is silent and succeeds here, where the suite runs', () => {
    const r = spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', timeout: 10_000 });
    expect([r.status, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
  });

  it('not root, commands missing from PATH: exit 1, what is missing and why, and the exact apt-get line', () => {
    // As nobody when root (root would install). The script comes on stdin: nobody may not be
    // able to enter the clone. An empty PATH hides every command it looks up by name.
    const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const input = fs.readFileSync(SCRIPT, 'utf8');
    const r = spawnSync('/bin/bash', ['-s'], { ...asUser, input, encoding: 'utf8', timeout: 10_000, env: { PATH: '/nonexistent' }, cwd: '/' });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.equal('');
    const line = /^ {2}apt-get update && apt-get install -y (.+)$/m.exec(r.stderr);
    expect(line, r.stderr).to.not.equal(null);
    expect((line as RegExpExecArray)[1].split(' ')).to.include.members(['iproute2', 'systemd', 'python3', 'mount']);
    expect(r.stderr).to.contain('systemd-socket-activate (systemd): deploy/systemd');
    expect(r.stderr).to.contain('Install them as root, then run npm test again');
  });
});
