import { expect } from 'chai';
import { findOption, type OptionSpec } from '../../../src/config/options';
import { parseBool, parseEnv, parseInteger, parseMode, parseSize, parseValue } from '../../../src/config/values';

function spec(name: string): OptionSpec {
  const s = findOption(name);
  if (s === undefined) throw new Error(name);
  return s;
}
const ctx = { baseDir: '/base' };
const value = (name: string, text: string): unknown => {
  const parsed = parseValue(spec(name), text, ctx);
  if ('problem' in parsed) throw new Error(`unexpected problem: ${parsed.problem}`);
  return parsed.value;
};
const problem = (name: string, text: string): string => {
  const parsed = parseValue(spec(name), text, ctx);
  if (!('problem' in parsed)) throw new Error(`expected a problem for ${name} = ${text}`);
  return parsed.problem;
};

describe('config/values', () => {
  describe('bool', () => {
    for (const t of ['true', 'TRUE', 'True', 'yes', 'YES', 'on', 'On', '1', '']) {
      it(`"${t}" is true`, () => expect(parseBool(t)).to.deep.equal({ value: true }));
    }
    for (const t of ['false', 'FALSE', 'no', 'No', 'off', 'OFF', '0']) {
      it(`"${t}" is false`, () => expect(parseBool(t)).to.deep.equal({ value: false }));
    }
    for (const t of ['maybe', '2', 'y', 'truee', '-1']) {
      it(`"${t}" is rejected`, () => expect(parseBool(t)).to.have.property('problem').that.contains('true/false'));
    }
  });

  describe('int', () => {
    it('reads plain integers', () => {
      expect(parseInteger('4')).to.deep.equal({ value: 4 });
      expect(parseInteger('0')).to.deep.equal({ value: 0 });
      expect(parseInteger('+7')).to.deep.equal({ value: 7 });
      expect(parseInteger('-3')).to.deep.equal({ value: -3 });
    });
    for (const t of ['abc', '1.5', '0x10', '1e3', '', ' 4', '4 workers', '99999999999999999999']) {
      it(`rejects "${t}"`, () => expect(parseInteger(t)).to.deep.equal({ problem: 'expected an integer' }));
    }
    it('processes: at the minimum 1 and below it', () => {
      expect(value('processes', '1')).to.equal(1);
      expect(problem('processes', '0')).to.equal('minimum is 1');
    });
    it('threads: at the maximum 256 and one past it', () => {
      expect(value('threads', '256')).to.equal(256);
      expect(problem('threads', '257')).to.equal('maximum is 256');
      expect(problem('threads', '0')).to.equal('minimum is 1');
    });
    it('buffer-size: 65535 is the maximum, 65536 and 70000 are rejected', () => {
      expect(value('buffer-size', '65535')).to.equal(65535);
      expect(problem('buffer-size', '65536')).to.equal('maximum is 65535');
      expect(problem('buffer-size', '70000')).to.equal('maximum is 65535');
      expect(value('buffer-size', '1')).to.equal(1);
      expect(problem('buffer-size', '0')).to.equal('minimum is 1');
    });
    it('listen: min 1', () => {
      expect(value('listen', '1')).to.equal(1);
      expect(problem('listen', '0')).to.equal('minimum is 1');
    });
    it('worker-reload-mercy: 0 allowed, negative rejected', () => {
      expect(value('worker-reload-mercy', '0')).to.equal(0);
      expect(problem('worker-reload-mercy', '-1')).to.equal('minimum is 0');
    });
    it('an empty int is not a number', () => expect(problem('processes', '')).to.equal('expected an integer'));
  });

  describe('int-auto (max-semi-space-size)', () => {
    it('takes auto or a whole number within the limits', () => {
      expect(value('max-semi-space-size', 'auto')).to.equal('auto');
      expect(value('max-semi-space-size', '0')).to.equal(0);
      expect(value('max-semi-space-size', '8')).to.equal(8);
    });
    it('rejects anything else, as an int would', () => {
      expect(problem('max-semi-space-size', 'Auto')).to.contain('integer');
      expect(problem('max-semi-space-size', '')).to.contain('integer');
      expect(problem('max-semi-space-size', '2048')).to.contain('1024');
      expect(problem('max-semi-space-size', '-1')).to.contain('0');
    });
  });

  describe('size', () => {
    it('reads bytes and binary suffixes, any case', () => {
      expect(parseSize('104857600')).to.deep.equal({ value: 104857600 });
      expect(parseSize('0')).to.deep.equal({ value: 0 });
      expect(parseSize('512k')).to.deep.equal({ value: 512 * 1024 });
      expect(parseSize('512K')).to.deep.equal({ value: 512 * 1024 });
      expect(parseSize('100m')).to.deep.equal({ value: 100 * 1024 * 1024 });
      expect(parseSize('100M')).to.deep.equal({ value: 100 * 1024 * 1024 });
      expect(parseSize('2g')).to.deep.equal({ value: 2 * 1024 ** 3 });
      expect(parseSize('2 G')).to.deep.equal({ value: 2 * 1024 ** 3 });
    });
    for (const t of ['abc', '-1', '1.5m', '10t', '10mb', 'm', '', '99999999999999999999']) {
      it(`rejects "${t}"`, () => expect(parseSize(t)).to.have.property('problem').that.contains('expected a size'));
    }
    it('limit-post reads through the table', () => expect(value('limit-post', '1m')).to.equal(1048576));
  });

  describe('mode (chmod-socket)', () => {
    it('bare, true and 1 mean 666 as in uWSGI', () => {
      for (const t of ['', 'true', 'TRUE', '1']) expect(parseMode(t)).to.deep.equal({ value: 0o666 });
    });
    it('3 octal digits', () => {
      expect(parseMode('660')).to.deep.equal({ value: 0o660 });
      expect(parseMode('777')).to.deep.equal({ value: 0o777 });
      expect(parseMode('000')).to.deep.equal({ value: 0 });
      expect(parseMode('600')).to.deep.equal({ value: 0o600 });
    });
    for (const t of ['0660', '66', '680', 'rw', 'false', '0', '6600', 'yes']) {
      it(`rejects "${t}"`, () => expect(parseMode(t)).to.have.property('problem').that.contains('3 octal digits'));
    }
  });

  describe('env', () => {
    it('splits at the first =', () => {
      expect(parseEnv('A=1')).to.deep.equal({ value: ['A', '1'] });
      expect(parseEnv('URL=http://x/?a=b')).to.deep.equal({ value: ['URL', 'http://x/?a=b'] });
      expect(parseEnv('EMPTY=')).to.deep.equal({ value: ['EMPTY', ''] });
    });
    for (const t of ['NOEQUALS', '=value', '']) {
      it(`rejects "${t}"`, () => expect(parseEnv(t)).to.deep.equal({ problem: 'expected KEY=VALUE' }));
    }
    it('returns a frozen pair', () => {
      const parsed = parseEnv('A=1');
      expect('value' in parsed && Object.isFrozen(parsed.value)).to.equal(true);
    });
  });

  describe('string and path', () => {
    it('a string is kept as written', () => expect(value('callable', 'app')).to.equal('app'));
    it('an empty string is rejected', () => expect(problem('callable', '')).to.equal('expected a value'));
    it('a relative path resolves against the base directory', () => {
      expect(value('pidfile', 'run/app.pid')).to.equal('/base/run/app.pid');
      expect(value('logto', '../x.log')).to.equal('/x.log');
    });
    it('an absolute path is kept', () => expect(value('pidfile', '/run/app.pid')).to.equal('/run/app.pid'));
    it('an empty path is rejected', () => expect(problem('wsgi-file', '')).to.equal('expected a path'));
  });

  describe('address and module go through their own parsers', () => {
    it('address', () => expect(value('socket', ':8080')).to.deep.equal({ kind: 'tcp', host: undefined, port: 8080, text: ':8080' }));
    it('module', () => expect(value('module', 'pkg:app')).to.deep.equal({ appFile: undefined, appPackage: 'pkg', callable: 'app' }));
  });
});
