/**
 * The one WebSocket frame tsuwsgi writes itself (RFC 6455 §5.5.1): a server's close frame with
 * status 1001, "going away", which a graceful stop sends every open WebSocket. It is written
 * whole, between the app's writes (one JS turn each, so never inside one of its frames); the
 * client answers with its own close, the app's library sees a close from the client, answers it
 * and ends the connection: every side runs its close handshake as usual.
 */
const GOING_AWAY = 1001;
const REASON = 'server going away';

/** Unmasked (server to client), FIN + opcode 8, a payload under 126 bytes. */
function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const frame = Buffer.allocUnsafe(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

let frame: Buffer | undefined;

export function goingAway(): Buffer {
  frame ??= closeFrame(GOING_AWAY, REASON);
  return frame;
}
