import { expect } from 'chai';
import { describeSpawnFailure } from '../../../src/master/spawn-failure';

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
