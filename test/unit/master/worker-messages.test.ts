import { expect } from 'chai';
import { checkWorkerMessage } from '../../../src/master/worker-messages';
import { boardBytes, BoardView } from '../../../src/worker/scoreboard/layout';
import { RowWriter } from '../../../src/worker/scoreboard/row-writer';
import { Scoreboard } from '../../../src/worker/scoreboard/scoreboard';

const accepts = (m: unknown, threads = 2): void => {
  const r = checkWorkerMessage(m, threads);
  expect(r, JSON.stringify(r)).to.deep.equal({ ok: true, message: m });
};
const refuses = (m: unknown, threads = 2): string => {
  const r = checkWorkerMessage(m, threads);
  expect(r.ok, JSON.stringify(m)?.slice(0, 80)).to.equal(false);
  return (r as { why: string }).why;
};

/** Figures exactly as a worker reads them from its scoreboard. */
function realCores(threads: number): unknown {
  const board = new Scoreboard(new SharedArrayBuffer(boardBytes(threads)));
  const rows = [0, 1].map((r) => new RowWriter(new BoardView(board.view.buffer), r));
  rows.forEach((r) => r.reset());
  rows[0].begin('GET', '/x', -1, 7, Date.now());
  rows[1].finished(200, 10, 1500);
  return JSON.parse(JSON.stringify(board.figuresOfAll(false)));
}

describe('checkWorkerMessage: a worker\'s messages are untrusted', () => {
  it('accepts every message a real worker sends, as it crosses the JSON channel', () => {
    accepts({ act: 'ready' });
    accepts({ act: 'need-sockets', thread: 1 });
    accepts({ act: 'need-sockets', thread: 0 });
    accepts({ act: 'report', rssBytes: 5e7, threads: [{ thread: 0, answered: true, running: true, requests: 3, connections: 1, current: { request: 'GET /', ms: 12 } }, { thread: 1, answered: false, running: false }] });
    accepts({ act: 'stats', round: 4, cores: realCores(2) });
    accepts({ act: 'stats', round: 4, cores: [] });
    accepts({ act: 'recycle', reason: 'max-requests', detail: { requests: 100, limit: 100 } });
    accepts({ act: 'recycle', reason: 'uncaught-exception', detail: {} });
    accepts({ act: 'app-load-failed', code: 'E_APP_LOAD', message: 'app.js: cannot load the app: SyntaxError' });
  });

  it('refuses what is not an object with a known act, saying why', () => {
    expect(refuses(null)).to.equal('not an object (null)');
    expect(refuses('ready')).to.equal('not an object (string)');
    expect(refuses([{ act: 'ready' }])).to.equal('not an object (array)');
    expect(refuses(42)).to.equal('not an object (number)');
    expect(refuses({})).to.equal('no act');
    expect(refuses({ act: { toString: 'x' } })).to.equal('no act');
    expect(refuses({ act: 'no-such-act' })).to.equal('"no-such-act": unknown act');
    expect(refuses({ act: 'x'.repeat(1000) })).to.have.length.below(80);
  });

  it('refuses wrong field types and anything beyond the worker\'s own thread count', () => {
    refuses({ act: 'need-sockets', thread: 2 });
    refuses({ act: 'need-sockets', thread: -1 });
    refuses({ act: 'need-sockets', thread: 0.5 });
    refuses({ act: 'need-sockets', thread: '0' });
    refuses({ act: 'need-sockets', thread: 0 }, 1);
    refuses({ act: 'stats', round: 'x', cores: [] });
    refuses({ act: 'stats', round: 1.5, cores: [] });
    refuses({ act: 'stats', round: 1, cores: [null] });
    refuses({ act: 'stats', round: 1, cores: realCores(3) });
    refuses({ act: 'stats', round: 1, cores: [{ ...(realCores(1) as object[])[0], requests: 'many' }] });
    refuses({ act: 'stats', round: 1, cores: [{ ...(realCores(1) as object[])[0], statusClasses: [1, 2] }] });
    refuses({ act: 'stats', round: 1, cores: [{ ...(realCores(1) as object[])[0], upgraded: -1 }] });
    refuses({ act: 'stats', round: 1, cores: [{ ...(realCores(1) as object[])[0], upgraded: undefined }] });
    refuses({ act: 'report', rssBytes: 1, threads: [{ thread: 0, answered: true, running: true, upgraded: 'many' }] });
    refuses({ act: 'report', rssBytes: 1, threads: [{ thread: 0, answered: true }] });
    refuses({ act: 'report', rssBytes: 1, threads: [{ thread: 0, answered: true, running: 'yes' }] });
    refuses({ act: 'report', rssBytes: 'lots', threads: [] });
    refuses({ act: 'report', rssBytes: 1, threads: 'none' });
    refuses({ act: 'report', rssBytes: 1, threads: [null] });
    refuses({ act: 'report', rssBytes: 1, threads: [{ thread: 0, answered: true, running: true }, { thread: 1, answered: true, running: true }, { thread: 1, answered: true, running: true }] });
    refuses({ act: 'report', rssBytes: 1, threads: [{ thread: 0, answered: true, running: true, current: { request: 'x'.repeat(5000), ms: 1 } }] });
    refuses({ act: 'recycle', reason: 42, detail: {} });
    refuses({ act: 'recycle', reason: 'max-requests', detail: null });
    refuses({ act: 'recycle', reason: 'max-requests', detail: { a: 'b' } });
    refuses({ act: 'app-load-failed', code: 'ENOENT', message: 'x' });
    refuses({ act: 'app-load-failed', code: 'E_APP_LOAD', message: 7 });
  });
});
