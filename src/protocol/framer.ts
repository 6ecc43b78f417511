/**
 * Push-style framing of one uwsgi packet over chunks as they arrive from a socket.
 *
 * The usual case, a whole packet in the first chunk, is parsed in place with no copy. Otherwise
 * the bytes go into one buffer sized to the packet (known once the 4 header bytes are in), so
 * 1-byte chunks cost O(n), not O(n^2) as re-concatenating would.
 */

import {
  HEADER_SIZE, NEED_MORE, parsePacket, truncationError,
  type NeedMore, type ParseResult, type PingPacket, type ProtocolError, type RequestPacket, type UwsgiLimits,
} from './uwsgi-packet.js';

/** rest: the bytes after the packet in the chunk that completed it (the start of the body). */
export type FramerResult =
  | NeedMore
  | (RequestPacket & { rest: Buffer })
  | (PingPacket & { rest: Buffer })
  | ProtocolError;

export class UwsgiFramer {
  private readonly limits: UwsgiLimits;
  /** Holds the header first, then is replaced by one sized to the whole packet. */
  private pending: Buffer | null = null;
  private filled = 0;
  private framed = false;

  constructor(limits: UwsgiLimits) {
    this.limits = limits;
  }

  /** Bytes held for a packet not complete yet. */
  get bytesPending(): number {
    return this.filled;
  }

  /**
   * Feed the next chunk. Once a result other than 'need-more' is returned the packet is framed:
   * the bytes after it are the body (or the next packet after a ping), which the caller handles,
   * so pushing more throws until reset().
   */
  push(chunk: Buffer): FramerResult {
    if (this.framed) throw new Error('UwsgiFramer.push() after a packet was framed: call reset() first');
    if (this.pending === null) {
      const result = parsePacket(chunk, this.limits);
      if (result.kind !== 'need-more') return this.finish(result, chunk, HEADER_SIZE + dataSize(chunk));
      if (chunk.length > 0) this.hold(chunk);
      return result;
    }
    return this.append(chunk);
  }

  /**
   * The peer closed: null when nothing of a packet was pending (including after a framed one),
   * else the E_PROTO_TRUNCATED error for what had arrived. The framer is reset.
   */
  end(): ProtocolError | null {
    const error = this.pending === null ? null : truncationError(this.pending.subarray(0, this.filled));
    this.reset();
    return error;
  }

  reset(): void {
    this.pending = null;
    this.filled = 0;
    this.framed = false;
  }

  private hold(chunk: Buffer): void {
    this.pending = Buffer.allocUnsafe(chunk.length < HEADER_SIZE ? HEADER_SIZE : HEADER_SIZE + dataSize(chunk));
    this.filled = chunk.copy(this.pending, 0);
  }

  private append(chunk: Buffer): FramerResult {
    let pending = this.pending!;
    let offset = 0;
    for (;;) {
      const take = Math.min(pending.length - this.filled, chunk.length - offset);
      this.filled += chunk.copy(pending, this.filled, offset, offset + take);
      offset += take;
      if (this.filled < pending.length) return NEED_MORE;
      const result = parsePacket(pending, this.limits);
      if (result.kind !== 'need-more') return this.finish(result, chunk.subarray(offset), 0);
      // Guard against looping forever should the sizing here ever disagree with parsePacket.
      if (pending.length !== HEADER_SIZE) throw new Error('UwsgiFramer: parsePacket wants more than the whole packet');
      // Only the header was held and the block is still to come: make room for all of it.
      const whole = Buffer.allocUnsafe(HEADER_SIZE + dataSize(pending));
      pending.copy(whole, 0, 0, HEADER_SIZE);
      this.pending = pending = whole;
    }
  }

  /** `consumed` bytes of `rest` belong to the packet (0 when it was assembled in `pending`). */
  private finish(result: Exclude<ParseResult, NeedMore>, rest: Buffer, consumed: number): FramerResult {
    this.pending = null;
    this.filled = 0;
    this.framed = true;
    const tail = rest.subarray(consumed);
    switch (result.kind) {
      case 'request':
        return {
          kind: 'request', modifier1: result.modifier1, modifier2: result.modifier2, vars: result.vars,
          varCount: result.varCount, headerLength: result.headerLength, rest: tail,
        };
      case 'ping':
        return { kind: 'ping', rest: tail };
      default:
        return result;
    }
  }
}

function dataSize(header: Buffer): number {
  return header[1]! | (header[2]! << 8);
}
