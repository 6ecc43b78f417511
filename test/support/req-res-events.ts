/**
 * The events an app sees on `req` and `res`, scenario by scenario, as Node's own HTTP server
 * (Node 20) emits them. The sequences were read from a plain `http.createServer` serving
 * test/fixtures/apps/events.js; every socket kind must give the same ones. A suite drives the
 * scenarios through a Transport (how to send a request on that socket kind) and compares.
 */
import { expect } from 'chai';
import { waitUntil, sleep } from './wait';

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
  /** What the app sees, in order, on Node 20's http server. */
  readonly expected: readonly string[];
}

const ABORTED = ['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close'];

export const eventScenarios: readonly EventScenario[] = [
  {
    name: 'a GET answered at once',
    path: '/answer',
    client: 'read-response',
    expected: ['app:called', 'res:finish', 'res:close', 'req:end', 'req:close'],
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

/** Defines one mocha test per scenario against the transport `get()` returns when it runs. */
export function describeEventScenarios(get: () => Transport): void {
  let n = 0;
  for (const scenario of eventScenarios) {
    it(`${scenario.name}: ${scenario.expected.join(', ')}`, async () => {
      const seq = await runScenario(scenario, get(), `s${++n}-${Date.now()}`);
      expect(seq).to.deep.equal(scenario.expected);
    });
  }
}
