import { expect } from 'chai';
import { describeSpawnFailure, started } from '../../../src/master/spawn-failure';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`spawn /usr/bin/node ${code}`), { code });
const NODE = '/usr/bin/node';

describe('describeSpawnFailure', () => {
  it('ENOENT names the chdir when it is what is missing, else the node binary', () => {
    expect(describeSpawnFailure(errno('ENOENT'), '/srv/app/current', NODE, () => false)).to.deep.equal({ code: 'ENOENT', message: 'chdir /srv/app/current does not exist' });
    expect(describeSpawnFailure(errno('ENOENT'), '/srv/app/current', NODE, () => true).message).to.equal('/usr/bin/node not found');
    expect(describeSpawnFailure(errno('ENOENT'), undefined, NODE, () => false).message).to.equal('/usr/bin/node not found');
  });

  it('EACCES, EAGAIN, ENOTDIR and EMFILE say what to look at', () => {
    expect(describeSpawnFailure(errno('EACCES'), '/srv/app', NODE).message).to.equal("the workers' user may not run /usr/bin/node or enter chdir /srv/app");
    expect(describeSpawnFailure(errno('EAGAIN'), undefined, NODE).message).to.include('RLIMIT_NPROC');
    expect(describeSpawnFailure(errno('ENOTDIR'), '/srv/app', NODE).message).to.equal('chdir /srv/app is not a directory');
    expect(describeSpawnFailure(errno('EMFILE'), undefined, NODE).code).to.equal('EMFILE');
  });

  it('anything else keeps Node\'s message; a value without a code is UNKNOWN', () => {
    expect(describeSpawnFailure(errno('EPERM'), undefined, NODE)).to.deep.equal({ code: 'EPERM', message: 'spawn /usr/bin/node EPERM' });
    expect(describeSpawnFailure('boom', undefined, NODE)).to.deep.equal({ code: 'UNKNOWN', message: 'boom' });
  });
});

describe('master/spawn-failure: started', () => {
  const fake = (pid: number | undefined): ChildProcess => Object.assign(new EventEmitter(), { pid }) as unknown as ChildProcess;

  it('a child with a pid started: nothing is listened for', () => {
    const child = fake(4242);
    expect(started(child, () => expect.fail('no failure'))).to.equal(true);
    expect(child.listenerCount('error')).to.equal(0);
  });

  it("a child without a pid: its 'error' is told once, a later one swallowed instead of ending the master", () => {
    const child = fake(undefined);
    const told: unknown[] = [];
    expect(started(child, (err) => told.push(err))).to.equal(false);
    const enoent = Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
    child.emit('error', enoent);
    expect(() => child.emit('error', new Error('again'))).to.not.throw();
    expect(told).to.deep.equal([enoent]);
  });
});
