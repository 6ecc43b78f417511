/**
 * limit-post on http-socket, with the uwsgi socket's answer and log line. A Content-Length over
 * the limit is answered 413 before the app runs (and before a 100 Continue, so a client that
 * waits for one never sends the body). A chunked body has no length up front: it is counted as
 * Node's parser hands it to the request and cut at the limit; the client gets 413 when nothing
 * of the response has gone out, and the app sees its request aborted, as when a client leaves
 * (its response is left alone: whatever the app writes to it later goes nowhere, harmlessly).
 *
 * Nothing here runs when limit-post is 0: the server then uses Node's own IncomingMessage.
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { ServeContext } from './context';
import { tsuwsgiError } from '../shared/errors';
import { closeAfterAnswer, kRejected, refuse, type HttpSocket } from './http-reject';
import { earlyAnswer } from './raw-response';
import { currentResponse } from '../shared/node-internals';
import { hooked, methodUnder } from './own-hooks';

const kReceived = Symbol('tsuwsgi.bodyReceived');
const kCut = Symbol('tsuwsgi.bodyCut');
const kCutRequest = Symbol('tsuwsgi.cutRequest');
const kUnder = Symbol('tsuwsgi.pushUnderLimit');

type Push = IncomingMessage['push'];
type Limited = IncomingMessage & { [kReceived]?: number; [kCut]?: true; [kUnder]?: Push };
type CutSocket = HttpSocket & { [kCutRequest]?: IncomingMessage };

/**
 * The request class of an http server with limit-post set: every body chunk reaches the app
 * through push(), so counting there costs one addition per chunk and no closure. The count is
 * each request's own `push`, not a method: Express gives every request its own prototype when
 * the app is called (before the body), and a chunked body then went past the limit unseen.
 */
export function limitedRequestClass(ctx: ServeContext, Base: typeof IncomingMessage = IncomingMessage): typeof IncomingMessage {
  const limit = ctx.limitPost;
  function countedPush(this: Limited, chunk: unknown, encoding?: BufferEncoding): boolean {
    // After a cut nothing reaches the app, not even the end of the body: it was not read.
    if (this[kCut] === true) return true;
    if (chunk !== null) {
      const received = (this[kReceived] ?? 0) + (chunk as Buffer).length;
      this[kReceived] = received;
      if (received > limit) {
        this[kCut] = true;
        cutBody(ctx, this);
        return true;
      }
    }
    // Then what was under it: post-buffering's own push (post-buffer.ts), or the prototype chain's.
    const under = this[kUnder] ?? methodUnder(this, 'push');
    return under.call(this, chunk, encoding) as boolean;
  }
  class LimitedIncomingMessage extends Base {
    constructor(...args: ConstructorParameters<typeof IncomingMessage>) {
      super(...args);
      const self = this as Limited;
      if (Object.prototype.hasOwnProperty.call(self, 'push')) self[kUnder] = self.push;
      self.push = countedPush;
      hooked(self);
    }
  }
  return LimitedIncomingMessage;
}

/** A Content-Length over limit-post: Node's parser has checked it is plain digits. */
export function lengthOverLimit(req: IncomingMessage, limit: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limit;
}

/** Before the app runs: answers 413 (and says true) to a Content-Length over limit-post. */
export function refuseBody(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): boolean {
  if (!lengthOverLimit(req, ctx.limitPost)) return false;
  // The body that still arrives is not the app's: dropped, uncounted.
  (req as Limited)[kCut] = true;
  ctx.log.warn(
    { event: 'request-rejected', code: 'E_PROTO_BODY_TOO_BIG', status: 413, method: req.method, uri: req.url },
    `request body of ${req.headers['content-length']} bytes (Content-Length) exceeds limit-post ${ctx.limitPost}: raise limit-post`,
  );
  refuse(req, res, 413);
  return true;
}

function cutBody(ctx: ServeContext, req: IncomingMessage): void {
  const socket = req.socket as CutSocket;
  const res = currentResponse(socket);
  // The 413 may go out only as this request's answer: its response is the one due and has sent nothing.
  const answer = res != null && res.req === req && !res.headersSent && socket.writable;
  // From here on tsuwsgi closes the connection: no client-gone line, no second answer.
  socket[kRejected] = true;
  ctx.log.warn(
    { event: 'request-rejected', code: 'E_PROTO_BODY_TOO_BIG', ...(answer ? { status: 413 } : {}), method: req.method, uri: req.url },
    `request body of more than ${ctx.limitPost} bytes (chunked) exceeds limit-post ${ctx.limitPost}: raise limit-post` +
      (answer ? '' : ' (no answer possible: connection closed)'),
  );
  // Aborted when the connection closes, before Node's own close handling: the app sees what a
  // client leaving shows (aborted, the response's close, error, close), with the limit's code.
  socket[kCutRequest] = req;
  socket.prependOnceListener('close', abortCutRequest);
  if (answer) closeAfterAnswer(socket, earlyAnswer(413));
  // Not from inside the parser's callback.
  else process.nextTick(destroySocket, socket);
}

function destroySocket(socket: CutSocket): void {
  socket.destroy();
}

function abortCutRequest(this: CutSocket): void {
  const req = this[kCutRequest];
  if (req !== undefined) abortRequest(req);
}

/** As Node's server aborts a request whose client left: 'aborted', 'error' (only when the app listens), 'close'. */
function abortRequest(req: IncomingMessage): void {
  req.destroy(tsuwsgiError('E_PROTO_BODY_TOO_BIG', 'request body over limit-post: the rest was not read'));
}
