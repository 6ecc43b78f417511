/**
 * The master's mule table: one record per mule process it started or will start again, and
 * one mailbox per mule id (mailbox.ts), which outlives the processes. Plain data: the
 * processes are mule-processes.ts's, the decisions mule-reconcile.ts's.
 *
 * - `id` is the mule number apps send to (1..number of `mule =` lines).
 * - `generation` is the master's (wanted.ts) when it was started: a reload raises the master's,
 *   and a mule of an older one is stopped, then started again (never two of one id at once).
 * - `retiring`: told to stop; worker-reload-mercy runs from `stopSentAt`.
 */
import { MuleMailbox } from './mailbox';

export interface MuleRecord {
  readonly key: number;
  readonly id: number;
  readonly generation: number;
  pid: number | undefined;
  /** Its function was called: messages may be sent. */
  ready: boolean;
  spawnedAt: number;
  /** Deaths soon after a start, in a row (respawn-policy.ts). */
  quickDeaths: number;
  spawnFailures: number;
  /** Its process ended (or could not start): when to start it again. */
  respawnAt: number | undefined;
  retiring: boolean;
  stopSentAt: number | undefined;
  killed: boolean;
  /** Messages taken from the mailbox for the shell to send (mule-deliver), in order. */
  readonly outbox: string[];
}

export class MuleTable {
  private readonly records = new Map<number, MuleRecord>();
  private readonly mailboxes = new Map<number, MuleMailbox>();
  private nextKey = 1;
  /** Per mule id: processes started (stats). */
  readonly spawnsById = new Map<number, number>();

  add(id: number, generation: number, quickDeaths = 0): MuleRecord {
    const r: MuleRecord = {
      key: this.nextKey++, id, generation, pid: undefined, ready: false, spawnedAt: 0, quickDeaths, spawnFailures: 0,
      respawnAt: undefined, retiring: false, stopSentAt: undefined, killed: false, outbox: [],
    };
    this.records.set(r.key, r);
    return r;
  }

  get(key: number): MuleRecord | undefined {
    return this.records.get(key);
  }

  /** The record, if `pid` is still its process (events of an earlier process are stale). */
  match(key: number, pid: number): MuleRecord | undefined {
    const r = this.records.get(key);
    return r !== undefined && r.pid === pid ? r : undefined;
  }

  remove(key: number): void {
    this.records.delete(key);
  }

  get size(): number {
    return this.records.size;
  }

  /** By id, the running one before the one stopping. */
  all(): MuleRecord[] {
    return [...this.records.values()].sort((a, b) => a.id - b.id || Number(a.retiring) - Number(b.retiring));
  }

  mailbox(id: number): MuleMailbox {
    let box = this.mailboxes.get(id);
    if (box === undefined) {
      box = new MuleMailbox();
      this.mailboxes.set(id, box);
    }
    return box;
  }

  /** Every mailbox, by id. */
  allMailboxes(): [number, MuleMailbox][] {
    return [...this.mailboxes.entries()].sort((a, b) => a[0] - b[0]);
  }

  countSpawn(id: number): void {
    this.spawnsById.set(id, (this.spawnsById.get(id) ?? 0) + 1);
  }
}
