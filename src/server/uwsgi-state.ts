/**
 * The states of a uwsgi connection (uwsgi-connection.ts), and its transitions:
 *
 *   Head    → Body     a request whose body is still to come (the app has it already)
 *   Head    → Done     a request without body, or with all of it in hand; a ping (ponged)
 *   Head    → Discard  refused with an answer (431, 413, 400) before the app, bytes to drop
 *   Head    → Done     refused with an answer and nothing more announced
 *   Head    → closed   refused without an answer (not uwsgi), or cut short by the peer
 *   Body    → Done     the last byte of the body
 *   Discard → Done     the last byte of what the request announced
 *   any     → closed   the peer's EOF, an error, a timeout (uwsgi-timeouts.ts), or the
 *                      response finished (the app's or an early answer) with Done
 */
export enum State {
  /** Waiting for the packet header and vars. */
  Head,
  /** The app has the request; its body is still arriving. */
  Body,
  /** We answered before the app ran (413, 431, 400); what the peer still sends is dropped. */
  Discard,
  /** Everything of the request is read. */
  Done,
}

/** The state as log lines name it (`state` of a timeout line). */
export function stateName(state: State): string {
  return State[state].toLowerCase();
}
