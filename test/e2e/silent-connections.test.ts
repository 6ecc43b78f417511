/**
 * Silent and trickling connections cannot starve a thread's accepting (issue 11, item 5): while
 * about 25 silent connections a second and a few that send one byte a second keep arriving at a
 * single app thread, good requests keep a latency within a small multiple of the idle figure
 * measured in the same test. Before, each silent connection paused accepting for 50 ms and the
 * pause outlived the connection: good requests went from under a millisecond to seconds.
 */
import { expect } from 'chai';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodePacket } from '../../src/protocol';
import { fixtureApp, startServer, type ServerProcess } from '../support/server';
import { exchange } from '../support/uwsgi-client';
import { tempDir } from '../support/tmp';
import { sleep } from '../support/wait';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('silent and trickling connections against one thread', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  const open = new Set<net.Socket>();

  after(async () => {
    for (const s of open) s.destroy();
    await server?.stop();
  });

  it('good requests keep their latency (median within 10x the idle median)', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), processes: 1, threads: 1, 'disable-logging': true } });
    await server.ready();
    const packet = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', SERVER_PROTOCOL: 'HTTP/1.1' });
    const timeGood = async (n: number): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const reply = await exchange({ path: sock }, [packet], { timeoutMs: 5_000 });
        ms.push(performance.now() - t0);
        expect(reply.toString('latin1')).to.match(/^HTTP\/1\.1 200 OK/);
        await sleep(20);
      }
      return ms;
    };
    await timeGood(10);
    const idle = median(await timeGood(60));

    // The attack: 25 silent connections a second, 5 a second that send one byte a second.
    let attacking = true;
    const silent = async (): Promise<void> => {
      while (attacking) {
        const s = net.connect(sock);
        s.on('error', () => undefined);
        open.add(s);
        s.once('close', () => open.delete(s));
        await sleep(40);
      }
    };
    const trickle = async (): Promise<void> => {
      while (attacking) {
        const s = net.connect(sock);
        s.on('error', () => undefined);
        open.add(s);
        s.once('close', () => open.delete(s));
        let i = 0;
        const drip = setInterval(() => {
          if (s.destroyed || i >= packet.length) return clearInterval(drip);
          s.write(packet.subarray(i, ++i));
        }, 1000);
        s.once('close', () => clearInterval(drip));
        await sleep(200);
      }
    };
    const attackers = [silent(), trickle()];
    let underAttack: number;
    try {
      await sleep(1000);
      underAttack = median(await timeGood(60));
    } finally {
      // Also when the good requests fail: the attack must not outlive the test.
      attacking = false;
      await Promise.all(attackers);
    }
    if (process.env.TSUWSGI_TEST_REPORT) console.log(`      idle median ${idle.toFixed(2)} ms, under attack ${underAttack.toFixed(2)} ms`);
    expect(underAttack / idle).to.be.below(10);
    expect(server.workerPids()).to.have.length(1);
  });
});
