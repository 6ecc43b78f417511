import { expect } from 'chai';
import { compileLogFormat, ctime, UWSGI_FORMAT, LOG_VARIABLES, type RequestLogFields } from '../../../src/shared/log-format';

const fields: RequestLogFields = {
  method: 'GET', uri: '/a?b=1', addr: '10.0.0.7', host: 'example.org', proto: 'HTTP/1.1', status: 404, size: 321,
  micros: 12_345, now: new Date(2026, 10, 5, 8, 1, 9), pid: 4242, wid: 2, core: 1, uagent: 'curl/8', referer: 'http://r/',
  vars: 17, pktsize: 812, headers: 3, hsize: 120, requests: 9,
};

describe('shared/log-format', () => {
  it('fills every documented variable', () => {
    const line = compileLogFormat(LOG_VARIABLES.map((v) => `${v}=%(${v})`).join(' '))(fields);
    const epoch = Math.floor(fields.now.getTime() / 1000);
    expect(line).to.equal(
      'uri=/a?b=1 method=GET addr=10.0.0.7 host=example.org proto=HTTP/1.1 status=404 size=321 rsize=321 msecs=12 micros=12345 ' +
        `time=${epoch} epoch=${epoch} ctime=Thu Nov  5 08:01:09 2026 pid=4242 wid=2 core=1 uagent=curl/8 referer=http://r/ ` +
        'vars=17 pktsize=812 headers=3 hsize=120 requests=9',
    );
  });

  it('keeps the text around variables, and a format with none', () => {
    expect(compileLogFormat('[%(status)] %(method)!')(fields)).to.equal('[404] GET!');
    expect(compileLogFormat('plain')(fields)).to.equal('plain');
    expect(compileLogFormat('')(fields)).to.equal('');
  });

  it('"uwsgi" is uWSGI 2.0\'s default request line', () => {
    expect(compileLogFormat('uwsgi')(fields)).to.equal(
      '[pid: 4242|app: 0|req: 9/9] 10.0.0.7 () {17 vars in 812 bytes} [Thu Nov  5 08:01:09 2026] GET /a?b=1 => ' +
        'generated 321 bytes in 12 msecs (HTTP/1.1 404) 3 headers in 120 bytes (1 switches on core 1)',
    );
    expect(compileLogFormat(UWSGI_FORMAT)(fields)).to.equal(compileLogFormat('uwsgi')(fields));
  });

  it('escapes request text as nginx does: a \\n cannot forge a line, an ESC or a C1 CSI cannot reach a terminal', () => {
    const hostile: RequestLogFields = {
      ...fields,
      method: 'GET\x1b',
      uri: '/a\nGET /forged\x1b[31m\x9b2J"\\',
      uagent: 'ua"\\\x7f\x9b\t',
      referer: 'r\r\n',
      host: 'h\x00',
      addr: '1.2.3.4\n',
    };
    const line = compileLogFormat('%(method) %(uri) "%(uagent)" "%(referer)" %(host) %(addr) %(status)')(hostile);
    expect(line).to.equal(
      'GET\\x1B /a\\x0AGET /forged\\x1B[31m\\x9B2J\\x22\\x5C "ua\\x22\\x5C\\x7F\\x9B\\x09" "r\\x0D\\x0A" h\\x00 1.2.3.4\\x0A 404',
    );
    expect(line).to.not.match(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('an unknown variable is an error naming it', () => {
    expect(() => compileLogFormat('%(method) %(stauts)')).to.throw(/unknown variable %\(stauts\)/);
  });

  it('ctime pads the day with a space, as C does', () => {
    expect(ctime(new Date(2026, 0, 1, 0, 0, 0))).to.equal('Thu Jan  1 00:00:00 2026');
    expect(ctime(new Date(2026, 11, 31, 23, 59, 59))).to.equal('Thu Dec 31 23:59:59 2026');
  });
});
