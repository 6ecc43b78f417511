/**
 * The conformance suite every socket kind runs, as every hono router runs its
 * `common.case.test.ts`: one table of cases (CASES), each run on the real binary against the
 * kind's transport, one file per kind (uwsgi.test.ts, http.test.ts; a new kind is a new file).
 *
 * What every kind owes the app (server/socket-kind.ts):
 *  - req and res emit what Node's own HTTP server emits on the running Node, in the same order,
 *    whether the response is answered, the body read, the client gone before, during the body
 *    or during the response. The sequences were read from a plain `http.createServer` serving
 *    test/fixtures/apps/events.js (Node 20 and 22; 24 and 26 differ in three cases) and are
 *    written in CASES; the suite reads them again from this Node's own server (ownServerSequences)
 *    and compares every kind with that, once it has checked that it is one written here;
 *  - an app's mistakes with its response never take the worker down: a write after end() is a
 *    no-op with one warning line (on the uwsgi socket it used to end the worker), a handler
 *    answering after harakiri's 504 is ignored.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { request } from '../../support/http';
import { fixtureApp, startServer, type IniValues, type ServerProcess } from '../../support/server';
import { tempDir } from '../../support/tmp';
import { sleep, waitUntil } from '../../support/wait';
import { sendRawHttp } from './http-send';

/** What the client does once its request is sent. */
export type ClientMove =
  /** Reads the whole response (then closes). */
  | 'read-response'
  /** Leaves (closes the connection) as soon as the app has the request. */
  | 'leave-when-app-has-it'
  /** Leaves as soon as the first bytes of the response arrive. */
  | 'leave-after-first-bytes';

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One request sent on some socket kind, its connection held by the test. */
export interface SentRequest {
  /** Resolves with the whole response. */
  readResponse(): Promise<Reply>;
  /** Resolves once the first bytes of the response have arrived. */
  firstBytes(): Promise<void>;
  /** Closes the connection from the client side. */
  leave(): void;
}

export interface Transport {
  /** Sends `method uri` with `body.declared` bytes announced and `body.sent` of them sent. */
  send(method: 'GET' | 'POST', uri: string, body: { declared: number; sent: number } | undefined): Promise<SentRequest>;
  /** A whole GET, the way this kind's clients make one (through nginx for a uwsgi socket). */
  request(uri: string): Promise<Reply>;
}

/** One socket kind under test: the server's socket lines, and how to talk to it. */
export interface KindUnderTest {
  readonly name: string;
  socket(dir: string): Promise<IniValues>;
  /** Once the server is ready; `stop` ends what connect started (a front end). */
  connect(socket: IniValues): Promise<Transport & { stop(): Promise<void> }>;
}

interface EventsCase {
  readonly what: 'events';
  readonly name: string;
  /** A behaviour of events.js. */
  readonly path: '/answer' | '/read-then-answer' | '/hold' | '/read-then-hold' | '/partial' | '/late-write';
  /** A POST that declares `declared` body bytes and sends `sent` of them; GET when absent. */
  readonly body?: { readonly declared: number; readonly sent: number };
  readonly client: ClientMove;
  /** What the app sees, in order, on Node 20's http server (and 22's). */
  readonly expected: readonly string[];
  /**
   * Where Node 24's and 26's server differ: IncomingMessage._dump ends a complete, unread
   * request at once (read(0)) instead of flowing it, and a clean destroy completes in the same
   * tick, so the request's end (and close) move ahead of the response's close.
   */
  readonly laterNode?: readonly string[];
  /** The body of the 200 the client reads ('read-response'). */
  readonly answer?: string;
}

interface LateWriteCase {
  readonly what: 'late-write';
  readonly route: '/late-timer' | '/late-sync' | '/late-end';
}

interface AfterHarakiriCase {
  readonly what: 'after-harakiri';
}

export type Case = EventsCase | LateWriteCase | AfterHarakiriCase;

/** harakiri of the server under test; /slow-end answers a second after harakiri's latest 504. */
const HARAKIRI_S = 2;
const SLOW_END_MS = (HARAKIRI_S + 2) * 1000;

const ABORTED = ['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close'];
const ANSWERED = ['app:called', 'res:finish', 'res:close', 'req:end', 'req:close'];

export const CASES: readonly Case[] = [
  {
    what: 'events', name: 'a GET answered at once', path: '/answer', client: 'read-response', expected: ANSWERED,
    laterNode: ['app:called', 'res:finish', 'req:end', 'res:close', 'req:close'], answer: 'answered',
  },
  {
    // The unread body is read and dropped after the response: req ends after res closes.
    what: 'events', name: 'a POST answered without reading its body', path: '/answer', body: { declared: 5, sent: 5 },
    client: 'read-response', expected: ANSWERED, answer: 'answered',
  },
  {
    what: 'events', name: 'a POST whose body is read, then answered', path: '/read-then-answer', body: { declared: 5, sent: 5 },
    client: 'read-response', expected: ['app:called', 'req:end', 'res:finish', 'res:close', 'req:close'],
    laterNode: ['app:called', 'req:end', 'res:finish', 'req:close', 'res:close'], answer: 'read 5',
  },
  { what: 'events', name: 'the client leaves before the response (request not read)', path: '/hold', client: 'leave-when-app-has-it', expected: ['app:called', ...ABORTED] },
  {
    // A request read to its end is complete: it closes, and is not aborted, when the client leaves.
    what: 'events', name: 'the client leaves before the response (request read to its end)', path: '/read-then-hold',
    client: 'leave-when-app-has-it', expected: ['app:called', 'req:end', 'req:close', 'res:close'],
  },
  {
    what: 'events', name: 'the client leaves in the middle of the request body (app reading)', path: '/read-then-answer',
    body: { declared: 50, sent: 5 }, client: 'leave-when-app-has-it', expected: ['app:called', ...ABORTED],
  },
  {
    what: 'events', name: 'the client leaves in the middle of the request body (app not reading)', path: '/hold',
    body: { declared: 50, sent: 5 }, client: 'leave-when-app-has-it', expected: ['app:called', ...ABORTED],
  },
  { what: 'events', name: 'the client leaves in the middle of the response', path: '/partial', client: 'leave-after-first-bytes', expected: ['app:called', ...ABORTED] },
  {
    what: 'events', name: 'the client leaves in the middle of the response (request body incomplete)', path: '/partial',
    body: { declared: 50, sent: 5 }, client: 'leave-after-first-bytes', expected: ['app:called', ...ABORTED],
  },
  {
    // res.write() and res.end(data) after the response finished: no event, no crash.
    what: 'events', name: 'the app writes after the response finished', path: '/late-write', client: 'read-response',
    expected: [...ANSWERED, 'app:late-write'],
    laterNode: ['app:called', 'res:finish', 'req:end', 'res:close', 'req:close', 'app:late-write'], answer: 'answered',
  },
  { what: 'late-write', route: '/late-timer' },
  { what: 'late-write', route: '/late-sync' },
  { what: 'late-write', route: '/late-end' },
  { what: 'after-harakiri' },
];

export function runSocketKindSuite(kind: KindUnderTest): void {
  describe(`socket kind conformance: ${kind.name}`, function () {
    this.timeout(60_000);
    let server: ServerProcess;
    let workers: number[];
    let transport: Transport & { stop(): Promise<void> };

    before(async () => {
      const dir = tempDir();
      const socket = await kind.socket(dir);
      server = startServer({ dir, ini: { ...socket, 'wsgi-file': fixtureApp('events.js'), processes: 1, threads: 1, harakiri: HARAKIRI_S } });
      workers = await server.ready();
      transport = await kind.connect(socket);
    });

    after(async () => {
      await transport?.stop();
      await server?.stop();
    });

    let own: ReadonlyMap<string, string[]>;
    before(async () => {
      own = await ownServerSequences();
    });

    it(`Node's own server (${process.version}) emits, in every events case, a sequence written in CASES`, () => {
      for (const c of CASES) if (c.what === 'events') expect([c.expected, c.laterNode ?? c.expected], c.name).to.deep.include(own.get(c.name));
    });

    let n = 0;
    for (const c of CASES) {
      switch (c.what) {
        case 'events': {
          const order = c.laterNode === undefined ? c.expected.join(', ') : `Node 20/22: ${c.expected.join(', ')}`;
          it(`${c.name}: as Node's own server (${order})`, async () => {
            expect(await runEventsCase(c, transport, `s${++n}-${Date.now()}`)).to.deep.equal(own.get(c.name));
          });
          break;
        }
        case 'late-write':
          it(`${c.route}: the late write is ignored with one warning line; the worker serves on`, () => runLateWriteCase(c, transport, server));
          break;
        case 'after-harakiri':
          it('a handler answering after harakiri sent 504 is ignored, and the worker serves on', () => runAfterHarakiriCase(transport, server));
          break;
      }
    }

    it('served every case on the same worker, with no error logged', () => {
      expect(server.workerPids()).to.deep.equal(workers);
      expect(server.events('worker-exited')).to.deep.equal([]);
      // harakiri's own line for /slow-end is the one error line expected.
      const errors = server.logs().filter((l) => (l.level as number) >= 50 && !(l.event === 'harakiri' && String(l.uri).startsWith('/slow-end')));
      expect(errors).to.deep.equal([]);
      expect(server.stderr.filter(Boolean)).to.deep.equal([]);
    });
  });
}

let reference: Promise<ReadonlyMap<string, string[]>> | undefined;

/**
 * Every events case's sequence on the running Node's own http server (events.js served by a
 * plain `http.createServer` in this process, over raw HTTP/1.1), read once per run: the
 * reference every socket kind is held to.
 */
export function ownServerSequences(): Promise<ReadonlyMap<string, string[]>> {
  reference ??= (async () => {
    const server = http.createServer(require(fixtureApp('events.js')) as http.RequestListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const transport: Transport = {
      send: (method, uri, body) => sendRawHttp(port, method, uri, body),
      request: async (uri) => {
        const r = await request(`http://127.0.0.1:${port}${uri}`);
        return { status: r.status, body: r.body.toString() };
      },
    };
    try {
      const seen = new Map<string, string[]>();
      let n = 0;
      for (const c of CASES) if (c.what === 'events') seen.set(c.name, await runEventsCase(c, transport, `node-${++n}`));
      return seen;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  })();
  return reference;
}

/** The sequence events.js recorded for `id`, null when it has none. */
async function eventsOf(transport: Transport, id: string): Promise<string[] | null> {
  return JSON.parse((await transport.request(`/events?id=${encodeURIComponent(id)}`)).body) as string[] | null;
}

/** Runs one events case and returns what the app saw (once no new event came for a while). */
async function runEventsCase(c: EventsCase, transport: Transport, id: string): Promise<string[]> {
  const uri = `${c.path}?id=${encodeURIComponent(id)}`;
  const sent = await transport.send(c.body === undefined ? 'GET' : 'POST', uri, c.body);
  switch (c.client) {
    case 'read-response': {
      const reply = await sent.readResponse();
      sent.leave();
      expect(reply).to.deep.equal({ status: 200, body: c.answer });
      break;
    }
    case 'leave-when-app-has-it':
      await waitUntil(`the app to have ${uri}`, async () => (await eventsOf(transport, id))?.includes('app:called'));
      sent.leave();
      break;
    case 'leave-after-first-bytes':
      await sent.firstBytes();
      sent.leave();
      break;
  }
  const enough = await waitUntil(`${c.expected.length} events for ${uri}`, async () => {
    const seq = await eventsOf(transport, id);
    return seq !== null && seq.length >= c.expected.length ? seq : undefined;
  });
  // Whatever else would come comes within a few ticks; give it time to show up.
  await sleep(150);
  return (await eventsOf(transport, id)) ?? enough;
}

async function runLateWriteCase(c: LateWriteCase, transport: Transport, server: ServerProcess): Promise<void> {
  const before = (await transport.request('/pid')).body;
  const warned = server.events('late-write').length;
  expect(await transport.request(c.route)).to.deep.equal({ status: 200, body: 'ok' });
  await waitUntil('a late-write warning', () => server.events('late-write').length > warned, 5000);
  expect(server.events('late-write')[warned]).to.include({ level: 40, method: 'GET', uri: c.route });
  // Exactly one line for the request, however many late calls it made.
  await sleep(100);
  expect(server.events('late-write').length).to.equal(warned + 1);
  expect((await transport.request('/pid')).body).to.equal(before);
  expect(server.events('worker-exited')).to.deep.equal([]);
}

async function runAfterHarakiriCase(transport: Transport, server: ServerProcess): Promise<void> {
  const before = (await transport.request('/pid')).body;
  const id = `h-${Date.now()}`;
  const reply = await transport.request(`/slow-end?ms=${SLOW_END_MS}&id=${id}`);
  expect(reply.status).to.equal(504);
  // The handler runs its setHeader/writeHead/end after the 504: wait until it has, then look.
  await waitUntil('the handler answering late', async () => (await eventsOf(transport, id))?.includes('app:answered-late'), SLOW_END_MS + 5000);
  expect((await transport.request('/pid')).body).to.equal(before);
  expect(server.events('worker-exited')).to.deep.equal([]);
}
