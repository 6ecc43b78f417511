import { expect } from 'chai';
import { isSimpleCommand } from '../../../../src/master/daemons/spawn-daemon';

describe('master/daemons/spawn-daemon: which commands sh may exec in place', () => {
  it('plain words are a simple command; shell syntax or a leading assignment is not', () => {
    expect(['node worker.js --port=7000', 'redis-server /etc/redis.conf', '/usr/bin/celery -A app worker'].map(isSimpleCommand)).to.deep.equal([true, true, true]);
    expect(['a; b', 'a && b', 'a | b', 'a > log', 'echo $HOME', 'sleep 1 &', 'FOO=1 node x.js', "node -e 'x'"].map(isSimpleCommand)).to.deep.equal(
      [false, false, false, false, false, false, false, false],
    );
  });
});
