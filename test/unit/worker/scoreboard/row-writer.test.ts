/** The app thread's side of its row: the hot-path writes, their edges, what they leave for readers. */
import { expect } from 'chai';
import { LABEL_BYTES, TABLE_ENTRIES } from '../../../../src/worker/scoreboard/layout';
import { testBoard } from './board';

describe('worker/scoreboard: RowWriter', () => {
  it('counts every request handed to the app, in the table or not', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    for (let i = 0; i < TABLE_ENTRIES + 3; i++) rows[0].begin('GET', '/', 1, 0, 1);
    expect(rows[0].started()).to.equal(TABLE_ENTRIES + 3);
    expect(board.started(0)).to.equal(TABLE_ENTRIES + 3);
    expect(rows[0].inFlight()).to.equal(TABLE_ENTRIES + 3);
  });

  it('ending a request the full table did not hold never takes the overflow below 0', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    rows[0].end(-1);
    expect(rows[0].inFlight()).to.equal(0);
    rows[0].begin('GET', '/', 1, 0, 1);
    expect(board.figures(0, false).inFlight).to.equal(1);
  });

  it('head-sent of an entry the table did not hold, or of none, changes nothing', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const e = rows[0].begin('GET', '/', 1, 0, 1);
    rows[0].headSent(-1);
    rows[0].headSent(-2);
    expect(board.oldest(0)?.headSent).to.equal(false);
    rows[0].headSent(e);
    expect(board.oldest(0)?.headSent).to.equal(true);
  });

  it('startOf gives the start of its own entries (the sweep)', () => {
    const { rows } = testBoard(1);
    rows[0].reset(1);
    const e = rows[0].begin('GET', '/', 1, 0, 1234.5);
    expect(rows[0].startOf(e)).to.equal(1234.5);
  });

  it('beats with the connection count; reset is a first beat', () => {
    const { board, rows } = testBoard(2);
    expect(board.beat(1), 'no thread yet').to.equal(0);
    rows[1].reset(500);
    expect(board.beat(1)).to.equal(500);
    rows[1].beat(600, 7);
    expect([board.beat(1), board.connections(1)]).to.deep.equal([600, 7]);
    expect(board.beat(0)).to.equal(0);
  });

  it('request numbers wrap from 2^31-1 to 1, never to 0 (0 marks a free entry)', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    (rows[0] as unknown as { lastId: number }).lastId = 0x7fffffff - 1;
    const a = rows[0].begin('GET', '/max', 1, 0, 1);
    const b = rows[0].begin('GET', '/wrapped', 2, 0, 2);
    expect(uris(board)).to.deep.equal(['/max', '/wrapped']);
    rows[0].end(a);
    rows[0].end(b);
    expect(uris(board)).to.deep.equal([]);
    expect((rows[0] as unknown as { lastId: number }).lastId).to.equal(1);
  });

  it('labels: ASCII copied as is, cut at the label space exactly; UTF-8 kept whole', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    const exact = `/${'x'.repeat(LABEL_BYTES - 'GET /'.length)}`;
    rows[0].begin('GET', exact, 1, 0, 1);
    rows[0].begin('GET', `${exact}tail`, 2, 0, 2);
    rows[0].begin('PÜT', '/ü', 3, 0, 3);
    rows[0].begin('GET', '/€/𝄞', 4, 0, 4);
    rows[0].begin('', '', 5, 0, 5);
    const got = board.inFlight(0).map((r) => [r.method, r.uri]);
    expect(got).to.deep.equal([['GET', exact], ['GET', exact], ['PÜT', '/ü'], ['GET', '/€/𝄞'], ['', '']]);
  });

  it('a URI that turns non-ASCII past the label space is cut, at a character boundary', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    rows[0].begin('GET', `/${'a'.repeat(LABEL_BYTES - 6)}ééé`, 1, 0, 1);
    const uri = board.oldest(0)?.uri ?? '';
    expect(Buffer.byteLength(`GET ${uri}`)).to.be.at.most(LABEL_BYTES);
    expect(uri.endsWith('a') || uri.endsWith('é')).to.equal(true);
    expect(uri).to.not.include('\ufffd');
  });

  it('stats counters change only through their own calls', () => {
    const { board, rows } = testBoard(1);
    rows[0].reset(1);
    rows[0].end(rows[0].begin('GET', '/', 1, 9, 1));
    expect(board.figures(0, false)).to.deep.include({ requests: 0, writeErrors: 0, txBytes: 0, responseMicros: 0 });
    rows[0].finished(204, 0, 10);
    rows[0].aborted();
    expect(board.figures(0, false)).to.deep.include({ requests: 1, writeErrors: 1, responseMicros: 10 });
  });
});

function uris(board: ReturnType<typeof testBoard>['board']): string[] {
  return board.inFlight(0).map((r) => r.uri);
}
