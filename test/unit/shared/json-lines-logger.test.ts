import { expect } from 'chai';
import { pino, type DestinationStream } from 'pino';
import { JsonLinesLogger, flatLine } from '../../../src/shared/json-lines-logger';

/** A sink that keeps every line; `"time":N` made 0, the one thing that differs between two writes. */
class Lines implements DestinationStream {
  readonly all: string[] = [];
  write(line: string): void {
    this.all.push(line.replace(/"time":\d+/, '"time":0'));
  }
}

const BASE = { pid: 4242, role: 'worker', worker: 3 };

/** The logger under test, and real pino over its own sink with the same base. */
function pair(level: 'info' | 'debug' = 'info') {
  const ours = new Lines();
  const theirs = new Lines();
  let pinoLoads = 0;
  const logger = new JsonLinesLogger(BASE, ours, () => {
    pinoLoads++;
    return pino({ base: BASE }, ours);
  }, level);
  const reference = pino({ base: BASE, level }, theirs);
  return { logger, reference, ours, theirs, loads: () => pinoLoads };
}

describe('shared/json-lines-logger: pino\'s lines without pino, for flat records', () => {
  const flat: [string, unknown[]][] = [
    ['a message', ['worker ready']],
    ['fields and a message', [{ event: 'app-loaded', app: '/srv/app.js', kind: 'node' }, 'app loaded']],
    ['numbers, booleans, null; undefined left out', [{ n: 1, f: 0.25, neg: -3, big: 1e21, yes: true, no: false, none: null, gone: undefined }, 'x']],
    ['fields only', [{ event: 'tick', n: 2 }]],
    ['an empty record', [{}]],
    ['strings that need escapes', [{ q: 'a "quoted" \\ path\n', ctl: '\u0001\u001f', del: '\u007f\u0085', uni: 'é 漢 😀' }, 'tab\there "q"']],
    ['a message with % and no argument', ['100% done %s %d']],
    ['a key that needs quoting', [{ 'a"b': 1, 'x-y': 'z' }, 'k']],
    ['a null-prototype record', [Object.assign(Object.create(null) as object, { a: 1 }), 'np']],
    ['a base key again (pino writes it twice)', [{ pid: 1 }, 'dup']],
    ['a field named error holding text (only err is pino\'s)', [{ error: 'EACCES on /run/x' }, 'e']],
  ];

  for (const [what, args] of flat) {
    it(`${what}: the bytes pino writes, pino not loaded`, () => {
      const p = pair();
      for (const level of ['info', 'warn', 'error', 'fatal'] as const) {
        (p.logger[level] as (...a: unknown[]) => void)(...args);
        (p.reference[level] as (...a: unknown[]) => void)(...args);
      }
      expect(p.ours.all).to.deep.equal(p.theirs.all);
      expect(p.loads()).to.equal(0);
    });
  }

  const deep: [string, unknown[]][] = [
    ['an Error under err', [{ event: 'failed', err: Object.assign(new Error('boom'), { code: 'E_X' }) }, 'it failed']],
    ['an Error as the record', [new Error('alone')]],
    ['a nested object', [{ event: 'x', fields: { a: 1 } }, 'nested']],
    ['an array', [{ list: [1, 2] }, 'arr']],
    ['a format string with arguments', ['%s of %d', 'one', 2]],
    ['a non-finite number', [{ n: Number.NaN, inf: Infinity }, 'nan']],
    ['a bigint', [{ n: 10n }, 'big']],
    ['a msg field in the record', [{ msg: 'from the record' }]],
    ['a lone surrogate (pino writes it raw, JSON.stringify escapes it)', [{ lone: '\ud800' }, 'ls']],
    ['an instance of a class', [new (class Point { x = 1; })(), 'cls']],
  ];

  for (const [what, args] of deep) {
    it(`${what}: left to pino, loaded then, with its own bytes`, () => {
      const p = pair();
      const call = (l: { info: (...a: unknown[]) => void }): void => {
        try {
          l.info(...args);
        } catch (err) {
          // pino throws on a BigInt as JSON.stringify does: the same either way.
          p.ours.write(`threw ${(err as Error).message}`);
        }
      };
      call(p.logger as never);
      const mine = p.ours.all.splice(0);
      call({ info: (...a: unknown[]) => { try { (p.reference.info as (...x: unknown[]) => void)(...a); } catch (err) { p.theirs.write(`threw ${(err as Error).message}`); } } });
      expect(mine).to.deep.equal(p.theirs.all);
      expect(p.loads()).to.equal(1);
    });
  }

  it('loads pino once, however many records need it, and keeps writing flat ones itself', () => {
    const p = pair();
    p.logger.error({ err: new Error('a') }, 'one');
    p.logger.error({ err: new Error('b') }, 'two');
    p.logger.info({ event: 'flat' }, 'three');
    expect(p.loads()).to.equal(1);
    expect(p.ours.all).to.have.length(3);
    expect(JSON.parse(p.ours.all[2])).to.deep.equal({ level: 30, time: 0, ...BASE, event: 'flat', msg: 'three' });
  });

  it('drops what is below its level, flat or not, as pino does; the level can change', () => {
    const p = pair();
    p.logger.debug({ event: 'x' }, 'hidden');
    p.logger.trace({ err: new Error('hidden') }, 'hidden');
    expect(p.ours.all).to.deep.equal([]);
    expect(p.loads()).to.equal(0);
    expect(p.logger.isLevelEnabled('info')).to.equal(true);
    expect(p.logger.isLevelEnabled('debug')).to.equal(false);
    p.logger.level = 'debug';
    p.logger.debug({ event: 'x' }, 'shown');
    p.reference.level = 'debug';
    p.reference.debug({ event: 'x' }, 'shown');
    expect(p.ours.all).to.deep.equal(p.theirs.all);
    expect(() => (p.logger.level = 'loud')).to.throw('unknown level loud');
  });

  it('flatLine: undefined for what it leaves to pino', () => {
    expect(flatLine(30, '', [{ a: Symbol('s') }])).to.equal(undefined);
    expect(flatLine(30, '', [{ f: () => 1 }])).to.equal(undefined);
    expect(flatLine(30, '', [{ a: 1 }, 'm', 'extra'])).to.equal(undefined);
    expect(flatLine(30, '', [{ a: 1 }, 42])).to.equal(undefined);
    expect(flatLine(30, '', [null])).to.equal(undefined);
    expect(flatLine(30, '', [{ time: 1 }])).to.equal(undefined);
    expect(flatLine(30, ',"pid":1', [{ a: 1 }, 'm'])).to.match(/^\{"level":30,"time":\d+,"pid":1,"a":1,"msg":"m"\}\n$/);
  });
});
