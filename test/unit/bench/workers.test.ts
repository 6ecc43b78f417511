import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { workerPids, isWorker } = benchLib('workers');

/** A fake /proc: files by path, task dirs by pid. */
function fakeProc(files: Record<string, string>, tasks: Record<string, string[]>) {
  return { read: (f: string) => files[f] ?? null, list: (d: string) => tasks[d] ?? [], proc: '/proc' };
}

describe('bench/workers', () => {
  it('knows a tsuwsgi worker by its command line running worker/main.js, whatever node flags come first', () => {
    expect(isWorker('/usr/bin/node\0/r/dist/worker/main.js\0', 'tsuwsgi')).to.equal(true);
    expect(isWorker('node\0--max-semi-space-size=1\0/r/dist/worker/main.js', 'tsuwsgi')).to.equal(true);
    expect(isWorker('/usr/bin/node\0/r/dist/master/mules/mule-main.js\0', 'tsuwsgi')).to.equal(false);
    expect(isWorker('/bin/sh\0-c\0sleep 1 # worker/main.js.bak\0', 'tsuwsgi')).to.equal(false);
    expect(isWorker(null, 'tsuwsgi')).to.equal(false);
    expect(isWorker('uwsgi\0--ini\0x.ini\0', 'uwsgi')).to.equal(true);
  });

  it('counts the root\'s direct children over every thread\'s children file, each once, workers only', () => {
    const io = fakeProc(
      {
        '/proc/1/task/1/children': '10 11 ',
        '/proc/1/task/2/children': '12 10',
        '/proc/10/cmdline': 'node\0/r/dist/worker/main.js\0',
        '/proc/11/cmdline': 'sleep\x00100\x00',
        '/proc/12/cmdline': 'node\0/r/dist/worker/main.js\0',
        '/proc/10/task/10/children': '99',
      },
      { '/proc/1/task': ['1', '2'], '/proc/10/task': ['10'] },
    );
    expect(workerPids(1, 'tsuwsgi', io)).to.deep.equal([10, 12]);
    expect(workerPids(1, 'uwsgi', io)).to.deep.equal([10, 11, 12]);
    expect(workerPids(2, 'tsuwsgi', io)).to.deep.equal([]); // gone
  });
});
