/**
 * The events an app sees on `req` and `res`, scenario by scenario, as Node's own HTTP server
 * emits them. The sequences were read from a plain `http.createServer` serving
 * test/fixtures/apps/events.js (Node 20 and 22; 24 and 26 differ in three scenarios), and the
 * suite reads them again from the running Node's own server before it compares: every socket
 * kind must give what that Node's server gives, and that must be one of the sequences written
 * here. A suite drives the scenarios through a Transport (how to send a request on that socket
 * kind) and compares.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { waitUntil, sleep } from './wait';
import { text } from './http';
import { RawConnection } from './raw-http';
import { fixtureApp } from './server';

/** What the client does once its request is sent. */
export type ClientMove =
  /** Reads the whole response (then closes). */
  | 'read-response'
  /** Leaves (closes the connection) as soon as the app has the request. */
  | 'leave-when-app-has-it'
  /** Leaves as soon as the first bytes of the response arrive. */
  | 'leave-after-first-bytes';

export interface EventScenario {
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
   * tick, so the request's end and close move ahead of the response's close.
   */
  readonly laterNode?: readonly string[];
}

const ABORTED = ['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close'];

export const eventScenarios: readonly EventScenario[] = [
  {
    name: 'a GET answered at once',
    path: '/answer',
    client: 'read-response',
    expected: ['app:called', 'res:finish', 'res:close', 'req:end', 'req:close'],
    laterNode: ['app:called', 'res:finish', 'req:end', 'res:close', 'req:close'],
  },
  {
    // The unread body is read and dropped after the response: req ends after res closes.
    name: 'a POST answered without reading its body',
    path: '/answer',
    body: { declared: 5, sent: 5 },
    client: 'read-response',
    expected: ['app:called', 'res:finish', 'res:close', 'req:end', 'req:close'],
  },
  {
    name: 'a POST whose body is read, then answered',
    path: '/read-then-answer',
    body: { declared: 5, sent: 5 },
    client: 'read-response',
    expected: ['app:called', 'req:end', 'res:finish', 'res:close', 'req:close'],
    laterNode: ['app:called', 'req:end', 'res:finish', 'req:close', 'res:close'],
  },
  {
    name: 'the client leaves before the response (request not read)',
    path: '/hold',
    client: 'leave-when-app-has-it',
    expected: ['app:called', ...ABORTED],
  },
  {
    // A request read to its end is complete: it closes, and is not aborted, when the client leaves.
    name: 'the client leaves before the response (request read to its end)',
    path: '/read-then-hold',
    client: 'leave-when-app-has-it',
    expected: ['app:called', 'req:end', 'req:close', 'res:close'],
  },
  {
    name: 'the client leaves in the middle of the request body (app reading)',
    path: '/read-then-answer',
    body: { declared: 50, sent: 5 },
    client: 'leave-when-app-has-it',
    expected: ['app:called', ...ABORTED],
  },
  {
    name: 'the client leaves in the middle of the request body (app not reading)',
    path: '/hold',
    body: { declared: 50, sent: 5 },
    client: 'leave-when-app-has-it',
    expected: ['app:called', ...ABORTED],
  },
  {
    name: 'the client leaves in the middle of the response',
    path: '/partial',
    client: 'leave-after-first-bytes',
    expected: ['app:called', ...ABORTED],
  },
  {
    name: 'the client leaves in the middle of the response (request body incomplete)',
    path: '/partial',
    body: { declared: 50, sent: 5 },
    client: 'leave-after-first-bytes',
    expected: ['app:called', ...ABORTED],
  },
  {
    // res.write() and res.end(data) after the response finished: no event, no crash.
    name: 'the app writes after the response finished',
    path: '/late-write',
    client: 'read-response',
    expected: ['app:called', 'res:finish', 'res:close', 'req:end', 'req:close', 'app:late-write'],
    laterNode: ['app:called', 'res:finish', 'req:end', 'res:close', 'req:close', 'app:late-write'],
  },
];

/** One request sent on some socket kind. */
export interface SentRequest {
  /** Resolves once the whole response has arrived. */
  readResponse(): Promise<void>;
  /** Resolves once the first bytes of the response have arrived. */
  firstBytes(): Promise<void>;
  /** Closes the connection from the client side. */
  leave(): void;
}

export interface Transport {
  /** Sends `method uri` with `body.declared` announced and `body.sent` bytes of it. */
  send(method: 'GET' | 'POST', uri: string, body: { declared: number; sent: number } | undefined): Promise<SentRequest>;
  /** The sequence events.js recorded for `id` (GET /events?id=...), null when it has none. */
  events(id: string): Promise<string[] | null>;
}

/** Runs one scenario and returns what the app saw (once no new event came for a while). */
export async function runScenario(scenario: EventScenario, transport: Transport, id: string): Promise<string[]> {
  const uri = `${scenario.path}?id=${encodeURIComponent(id)}`;
  const sent = await transport.send(scenario.body === undefined ? 'GET' : 'POST', uri, scenario.body);
  switch (scenario.client) {
    case 'read-response':
      await sent.readResponse();
      sent.leave();
      break;
    case 'leave-when-app-has-it':
      await waitUntil(`the app to have ${uri}`, async () => (await transport.events(id))?.includes('app:called'));
      sent.leave();
      break;
    case 'leave-after-first-bytes':
      await sent.firstBytes();
      sent.leave();
      break;
  }
  const enough = await waitUntil(`${scenario.expected.length} events for ${uri}`, async () => {
    const seq = await transport.events(id);
    return seq !== null && seq.length >= scenario.expected.length ? seq : undefined;
  });
  // Whatever else would come comes within a few ticks; give it time to show up.
  await sleep(150);
  return (await transport.events(id)) ?? enough;
}

/** A request per raw HTTP/1.1 connection to `port` (http-socket, or Node's own server). */
export function httpTransport(port: number): Transport {
  return {
    async send(method, uri, body) {
      const conn = await RawConnection.open(port);
      const length = body === undefined ? '' : `Content-Length: ${body.declared}\r\n`;
      conn.write(`${method} ${uri} HTTP/1.1\r\nHost: x\r\n${length}\r\n${'b'.repeat(body?.sent ?? 0)}`);
      const sent: SentRequest = {
        readResponse: async () => {
          await conn.waitForResponses(1);
        },
        firstBytes: async () => {
          await conn.waitForText('the first bytes of the response', (t) => t.length > 0);
        },
        leave: () => conn.destroy(),
      };
      return sent;
    },
    async events(id) {
      return JSON.parse(await text(`http://127.0.0.1:${port}/events?id=${encodeURIComponent(id)}`)) as string[] | null;
    },
  };
}

let reference: Promise<ReadonlyMap<string, string[]>> | undefined;

/**
 * Every scenario's sequence on the running Node's own http server (events.js served by a plain
 * `http.createServer` in this process), read once per run: the reference for every socket kind.
 */
export function ownServerSequences(): Promise<ReadonlyMap<string, string[]>> {
  reference ??= (async () => {
    const server = http.createServer(require(fixtureApp('events.js')) as http.RequestListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const transport = httpTransport((server.address() as AddressInfo).port);
      const seen = new Map<string, string[]>();
      let n = 0;
      for (const scenario of eventScenarios) seen.set(scenario.name, await runScenario(scenario, transport, `node-${++n}`));
      return seen;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  })();
  return reference;
}

/**
 * Defines one mocha test per scenario against the transport `get()` returns when it runs: the
 * app must see what Node's own server shows it, on this Node, which must be documented above.
 */
export function describeEventScenarios(get: () => Transport): void {
  let own: ReadonlyMap<string, string[]>;
  before(async function () {
    this.timeout(60_000);
    own = await ownServerSequences();
  });
  it(`Node's own server (${process.version}) emits, in every scenario, a sequence written in req-res-events.ts`, () => {
    for (const s of eventScenarios) expect([s.expected, s.laterNode ?? s.expected], s.name).to.deep.include(own.get(s.name));
  });
  let n = 0;
  for (const scenario of eventScenarios) {
    const order = scenario.laterNode === undefined ? scenario.expected.join(', ') : `Node 20/22: ${scenario.expected.join(', ')}`;
    it(`${scenario.name}: as Node's own server (${order})`, async () => {
      const seq = await runScenario(scenario, get(), `s${++n}-${Date.now()}`);
      expect(seq).to.deep.equal(own.get(scenario.name));
    });
  }
}

/** What Node's own server emits in the scenario `name`, without the app's own `app:*` marks. */
export async function ownServerEvents(name: string): Promise<string[]> {
  const seq = (await ownServerSequences()).get(name);
  if (seq === undefined) throw new Error(`no event scenario named ${name}`);
  return seq.filter((e) => !e.startsWith('app:'));
}
