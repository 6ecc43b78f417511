/**
 * The accept-turn board: one small file the master creates (and unlinks at once) and every
 * worker holds open, with one 16-byte record per running worker. A worker writes its own record
 * every tick and reads all of them to decide whether it should keep its listeners in its poll
 * set (worker/accept-turn/). Node has no memory shared between processes; pread and pwrite on a
 * page-cache file are the cheapest substitute (~1 µs each), and the file has no name anyone else
 * could open.
 *
 * Layout of a record (little-endian): stamp f64 (ms on the system's monotonic clock, 0 = free
 * or leaving), elu f32 (the worker's event-loop utilisation over its last few ticks), worker id u16,
 * one byte of flags (present, primary, accepting: the worker's last decision, which the master
 * shows in the stats; long: its requests keep its loop busy long enough that a second accepting
 * worker costs less than the queue behind one), one byte of CPU wait (the share of the last few
 * ticks its loop thread spent waiting for a CPU, 0-255 for 0-1). Pure: bytes in, records out.
 */

export const RECORD_BYTES = 16;
const FLAG_PRESENT = 1;
const FLAG_PRIMARY = 2;
const FLAG_ACCEPTING = 4;
const FLAG_LONG = 8;

export interface TurnRecord {
  /** Its index in the file, given by the master. */
  readonly slot: number;
  readonly workerId: number;
  readonly stampMs: number;
  readonly elu: number;
  /**
   * Over the same ticks, the share of the time its loop thread spent runnable but waiting for a
   * CPU (the kernel's schedstat); 0 where the kernel does not say.
   */
  readonly cpuWait: number;
  /** Written by a worker that accepts when its turn comes; cleared when it drains. */
  readonly present: boolean;
  /** Its last decision: one of the workers that always accept. */
  readonly primary: boolean;
  /** Its last decision: its listeners are in its poll set (a primary, or a spare that joined). */
  readonly accepting: boolean;
  /**
   * Its loop was busy at least LONG_REQUEST_MS (worker/accept-turn/turn-policy.ts) a request over
   * its last few ticks: requests that queue behind it wait that long each.
   */
  readonly long: boolean;
}

/** How many records a board holds for `processes` workers: each one, its replacement during a reload, and spare. */
export function boardCapacity(processes: number): number {
  return 2 * processes + 4;
}

export function encodeRecord(buf: Buffer, r: Omit<TurnRecord, 'slot'>): void {
  buf.writeDoubleLE(r.stampMs, 0);
  buf.writeFloatLE(r.elu, 8);
  buf.writeUInt16LE(r.workerId & 0xffff, 12);
  buf.writeUInt8((r.present ? FLAG_PRESENT : 0) | (r.primary ? FLAG_PRIMARY : 0) | (r.accepting ? FLAG_ACCEPTING : 0) | (r.long ? FLAG_LONG : 0), 14);
  buf.writeUInt8(Math.round(Math.min(1, Math.max(0, r.cpuWait || 0)) * 255), 15);
}

/** The record at `slot` of `buf`; an all-zero record is a free slot, not present. */
export function decodeRecord(buf: Buffer, slot: number): TurnRecord {
  const at = slot * RECORD_BYTES;
  const flags = buf.readUInt8(at + 14);
  return {
    slot,
    stampMs: buf.readDoubleLE(at),
    elu: buf.readFloatLE(at + 8),
    cpuWait: buf.readUInt8(at + 15) / 255,
    workerId: buf.readUInt16LE(at + 12),
    present: (flags & FLAG_PRESENT) !== 0,
    primary: (flags & FLAG_PRIMARY) !== 0,
    accepting: (flags & FLAG_ACCEPTING) !== 0,
    long: (flags & FLAG_LONG) !== 0,
  };
}

/**
 * The present records of `buf` (whole records only). Free and leaving slots are skipped without
 * an object each: a worker reads the board 20 times a second, mostly empty slots.
 */
export function decodeBoard(buf: Buffer, bytes = buf.length): TurnRecord[] {
  const out: TurnRecord[] = [];
  for (let slot = 0, at = 0; at + RECORD_BYTES <= bytes; slot++, at += RECORD_BYTES) {
    if ((buf[at + 14]! & FLAG_PRESENT) !== 0) out.push(decodeRecord(buf, slot));
  }
  return out;
}

/** The system's monotonic clock in ms: the same in every process of the host, unlike performance.now(). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
