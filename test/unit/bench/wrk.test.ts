import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { parseWrk, parseTimeMs, parseBytes, wrkArgs, postScript } = benchLib('wrk');

// Captured from wrk debian/4.1.0-3+b2 against a server answering 500 to every 10th request
// and dropping every 5000th connection.
const WITH_ERRORS = `Running 1s test @ http://127.0.0.1:39123/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.32ms   20.40ms  96.05ms   85.31%
    Req/Sec    16.17k    11.30k   33.75k    50.00%
  Latency Distribution
     50%  197.00us
     75%    6.09ms
     90%   44.28ms
     99%   82.05ms
  16433 requests in 1.09s, 1.97MB read
  Socket errors: connect 0, read 3, write 0, timeout 0
  Non-2xx or 3xx responses: 1640
Requests/sec:  15110.86
Transfer/sec:      1.81MB
`;

// A clean run: no "Socket errors" and no "Non-2xx" lines at all.
const CLEAN = `Running 5s test @ http://127.0.0.1:40001/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.37ms  525.22us  11.04ms   86.10%
    Req/Sec    23.61k     1.20k   25.37k    70.00%
  Latency Distribution
     50%    1.26ms
     75%    1.51ms
     90%    1.86ms
     99%    3.26ms
  117488 requests in 5.00s, 18.60MB read
Requests/sec:  23490.66
Transfer/sec:      3.72MB
`;

// Captured: every connection was reset, nothing answered.
const NOTHING = `Running 1s test @ http://127.0.0.1:2024/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.00s, 0.00B read
  Socket errors: connect 0, read 9744, write 0, timeout 0
Requests/sec:      0.00
Transfer/sec:       0.00B
`;

describe('bench/wrk', () => {
  describe('parseTimeMs', () => {
    it('converts every wrk time unit to milliseconds', () => {
      expect(parseTimeMs('197.00us')).to.be.closeTo(0.197, 1e-9);
      expect(parseTimeMs('1.26ms')).to.equal(1.26);
      expect(parseTimeMs('2.00s')).to.equal(2000);
      expect(parseTimeMs('1.50m')).to.equal(90000);
      expect(parseTimeMs('1.00h')).to.equal(3600000);
      expect(parseTimeMs('0.00us')).to.equal(0);
      expect(parseTimeMs(' 3ms ')).to.equal(3);
    });
    it('returns null for anything else', () => {
      for (const bad of ['', 'ms', '1.2', '1.2 ms', '-1ms', '1.2ns', '-nan%', 'nanus', '1,2ms']) {
        expect(parseTimeMs(bad), bad).to.equal(null);
      }
    });
  });

  describe('parseBytes', () => {
    it('converts wrk sizes (binary units) to bytes', () => {
      expect(parseBytes('0.00B')).to.equal(0);
      expect(parseBytes('512B')).to.equal(512);
      expect(parseBytes('1.50KB')).to.equal(1536);
      expect(parseBytes('2.00MB')).to.equal(2 * 1024 * 1024);
      expect(parseBytes('1.00GB')).to.equal(1024 ** 3);
      expect(parseBytes('1.00TB')).to.equal(1024 ** 4);
    });
    it('returns null for anything else', () => {
      for (const bad of ['', 'MB', '1.2', '1.2 MB', '1.2mb', '1.2PB']) expect(parseBytes(bad), bad).to.equal(null);
    });
  });

  describe('parseWrk', () => {
    it('reads a report with socket errors and non-2xx responses', () => {
      const r = parseWrk(WITH_ERRORS);
      expect(r.rps).to.equal(15110.86);
      expect(r.requests).to.equal(16433);
      expect(r.durationS).to.be.closeTo(1.09, 1e-9);
      expect(r.bytes).to.be.closeTo(1.97 * 1024 * 1024, 1e-6);
      expect(r.transferPerSec).to.be.closeTo(1.81 * 1024 * 1024, 1e-6);
      expect(r.latency.avg).to.equal(10.32);
      expect(r.latency.stdev).to.equal(20.4);
      expect(r.latency.max).to.equal(96.05);
      expect(r.latency.p50).to.be.closeTo(0.197, 1e-9);
      expect(r.latency.p75).to.equal(6.09);
      expect(r.latency.p90).to.equal(44.28);
      expect(r.latency.p99).to.equal(82.05);
      expect(r.socketErrors).to.deep.equal({ connect: 0, read: 3, write: 0, timeout: 0 });
      expect(r.non2xx).to.equal(1640);
      expect(r.errors).to.equal(1643);
    });

    it('reads a clean report: no error lines means zero errors', () => {
      const r = parseWrk(CLEAN);
      expect(r.rps).to.equal(23490.66);
      expect(r.requests).to.equal(117488);
      expect(r.durationS).to.equal(5);
      expect(r.latency).to.deep.equal({ avg: 1.37, stdev: 0.52522, max: 11.04, p50: 1.26, p75: 1.51, p90: 1.86, p99: 3.26 });
      expect(r.socketErrors).to.deep.equal({ connect: 0, read: 0, write: 0, timeout: 0 });
      expect(r.non2xx).to.equal(0);
      expect(r.errors).to.equal(0);
    });

    it('reads a run where nothing answered (-nan% columns, 0 requests)', () => {
      const r = parseWrk(NOTHING);
      expect(r.rps).to.equal(0);
      expect(r.requests).to.equal(0);
      expect(r.bytes).to.equal(0);
      expect(r.latency.p50).to.equal(0);
      expect(r.latency.avg).to.equal(0);
      expect(r.socketErrors.read).to.equal(9744);
      expect(r.errors).to.equal(9744);
    });

    it('counts every kind of socket error', () => {
      const text = CLEAN.replace('Requests/sec', '  Socket errors: connect 1, read 20, write 300, timeout 4000\nRequests/sec');
      const r = parseWrk(text);
      expect(r.socketErrors).to.deep.equal({ connect: 1, read: 20, write: 300, timeout: 4000 });
      expect(r.errors).to.equal(4321);
    });

    it('leaves latency percentiles null without --latency', () => {
      const text = CLEAN.replace(/ {2}Latency Distribution\n(?: +\d+% +\S+\n)+/, '');
      const r = parseWrk(text);
      expect(r.latency.p50).to.equal(null);
      expect(r.latency.p99).to.equal(null);
      expect(r.latency.avg).to.equal(1.37);
      expect(r.rps).to.equal(23490.66);
    });

    it('reads percentiles in seconds (a slow backend)', () => {
      const text = CLEAN.replace('99%    3.26ms', '99%    1.20s').replace('50%    1.26ms', '50%  500.00ms');
      const r = parseWrk(text);
      expect(r.latency.p99).to.equal(1200);
      expect(r.latency.p50).to.equal(500);
    });

    it('accepts trailing whitespace and a missing final newline', () => {
      const r = parseWrk(`${CLEAN.trimEnd()}   `);
      expect(r.transferPerSec).to.be.closeTo(3.72 * 1024 * 1024, 1e-6);
    });

    it('throws, quoting the end of the output, when there is no Requests/sec line', () => {
      expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n')).to.throw(/no Requests\/sec line: unable to connect/);
      expect(() => parseWrk('')).to.throw(/\(empty output\)/);
    });
  });

  describe('wrkArgs', () => {
    it('builds the command line, with --latency and a 5 s timeout by default', () => {
      expect(wrkArgs({ url: 'http://127.0.0.1:1/', durationS: 3, connections: 32, threads: 1 })).to.deep.equal([
        '--threads', '1', '--connections', '32', '--duration', '3s', '--timeout', '5s', '--latency', 'http://127.0.0.1:1/',
      ]);
    });
    it('adds the lua script before the url and honours timeoutS', () => {
      const a = wrkArgs({ url: 'http://h/echo', durationS: 1.5, connections: 4, threads: 2, script: '/t/p.lua', timeoutS: 9 });
      expect(a.slice(-3)).to.deep.equal(['--script', '/t/p.lua', 'http://h/echo']);
      expect(a).to.include.members(['1.5s', '9s', '2', '4']);
    });
  });

  describe('postScript', () => {
    it('sets method POST and a body of exactly the given size', () => {
      const lua = postScript(65536);
      expect(lua).to.match(/^wrk\.method = "POST"$/m);
      expect(lua).to.match(/^wrk\.body = string\.rep\("x", 65536\)$/m);
      expect(lua).to.match(/Content-Type"\] = "application\/octet-stream"/);
    });
  });
});
