/**
 * One cheaper decision (uWSGI's uwsgi_calc_cheaper, core/master_utils.c): the memory limits
 * first, then the chosen algorithm. Past cheaper-rss-limit-hard one worker is removed (never the
 * last) and the algorithm is not asked; past cheaper-rss-limit-soft it is asked but may not
 * add. The algorithms keep their own state between calls (`CheaperPolicy`).
 */
import { backlog } from './backlog';
import { busyness, busynessState, type BusynessState } from './busyness';
import { spare, spareState, type SpareState } from './spare';
import { KEEP, type CheaperDecision, type CheaperInputs, type CheaperSettings } from './types';

export interface MemoryInput {
  /** The serving workers' resident memory, summed. */
  readonly rssBytes: number;
}

export class CheaperPolicy {
  private readonly spare: SpareState = spareState();
  private readonly busyness: BusynessState;

  constructor(
    readonly settings: CheaperSettings,
    now: number,
  ) {
    this.busyness = busynessState(now, settings);
  }

  decide(i: Omit<CheaperInputs, 'canSpawn'>, memory: MemoryInput): CheaperDecision {
    const c = this.settings;
    let canSpawn = true;
    if (c.rssSoft > 0) {
      const mb = (memory.rssBytes / 1048576).toFixed(0);
      if (c.rssHard > 0 && i.workers.length > 1 && memory.rssBytes >= c.rssHard) {
        return { delta: -1, reason: `the workers' resident memory (${mb} MB) is at or above cheaper-rss-limit-hard` };
      }
      canSpawn = memory.rssBytes < c.rssSoft;
    }
    const d = this.algorithm({ ...i, canSpawn });
    if (!canSpawn && d.delta > 0) return KEEP;
    return d;
  }

  private algorithm(i: CheaperInputs): CheaperDecision {
    switch (this.settings.algo) {
      case 'spare':
        return spare(this.spare, i, this.settings);
      case 'backlog':
        return backlog(i, this.settings);
      case 'busyness':
        return busyness(this.busyness, i, this.settings);
      default:
        // manual: only SIGTTIN / SIGTTOU and fifo + / - change the count.
        return KEEP;
    }
  }
}
