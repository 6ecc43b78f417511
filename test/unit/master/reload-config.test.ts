import { expect } from 'chai';
import { mergeReloaded } from '../../../src/master/reload-config';
import type { Config } from '../../../src/shared/config';

const running = {
  socket: [{ kind: 'unix', path: '/run/a.sock' }], httpSocket: [], listen: 1024, processes: 2, threads: 1,
  logto: undefined, limitPost: 0, env: [], uid: undefined, gid: undefined,
} as unknown as Config;

describe('master/reload-config: what a reload applies', () => {
  it('takes processes, threads, limits and env from the re-read config', () => {
    const reread = { ...running, processes: 4, threads: 2, limitPost: 1024, env: [['A', '1']] } as unknown as Config;
    const { config, needRestart } = mergeReloaded(running, reread);
    expect(config).to.include({ processes: 4, threads: 2, limitPost: 1024 });
    expect(config.env).to.deep.equal([['A', '1']]);
    expect(needRestart).to.deep.equal([]);
  });

  it('keeps the running sockets, log file and privileges, and names each changed one', () => {
    const reread = { ...running, socket: [{ kind: 'tcp', host: '127.0.0.1', port: 9 }], logto: '/tmp/x.log', uid: 65534 } as unknown as Config;
    const { config, needRestart } = mergeReloaded(running, reread);
    expect(config.socket).to.deep.equal(running.socket);
    expect(config.logto).to.equal(undefined);
    expect(config.uid).to.equal(undefined);
    expect(needRestart).to.deep.equal(['socket', 'uid', 'logto']);
  });

  it('keeps what the master made as root or decides alone: master-as-root, allow-writable-dirs, stats-chmod', () => {
    const reread = { ...running, masterAsRoot: true, allowWritableDirs: true, statsChmod: 0o666 } as unknown as Config;
    const { config, needRestart } = mergeReloaded(running, reread);
    expect(needRestart).to.deep.equal(['masterAsRoot', 'allowWritableDirs', 'statsChmod']);
    expect(config.masterAsRoot).to.equal(undefined);
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(mergeReloaded(running, running).config)).to.equal(true);
  });
});
