/** The early answers: the same bytes on every socket kind, built once per status. */
import { expect } from 'chai';
import { earlyAnswer, rawResponse, reasonOf } from '../../../src/server/raw-response';

describe('server/raw-response', () => {
  it('builds a complete response that closes the connection, its length counted in bytes', () => {
    const bytes = rawResponse(503, 'Service Unavailable', 'café\n');
    expect(bytes.toString('latin1')).to.equal(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 6\r\nConnection: close\r\n\r\ncaf\u00e9\n',
    );
  });

  for (const [status, reason] of [[400, 'Bad Request'], [408, 'Request Timeout'], [413, 'Content Too Large'], [431, 'Request Header Fields Too Large']] as const) {
    it(`${status}: "${reason}", with the status line as its body`, () => {
      expect(reasonOf(status)).to.equal(reason);
      expect(earlyAnswer(status).toString()).to.equal(rawResponse(status, reason).toString());
      expect(earlyAnswer(status).toString()).to.match(new RegExp(`\\r\\n\\r\\n${status} ${reason}\\n$`));
    });
  }

  it('builds each answer once', () => {
    expect(earlyAnswer(413)).to.equal(earlyAnswer(413));
  });
});
