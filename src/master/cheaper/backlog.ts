/**
 * uWSGI's `backlog` (core/master_utils.c, uwsgi_cheaper_algo_backlog), called once a second:
 * while more than cheaper-overload connections wait in the listen queue, cheaper-step workers
 * are added; while fewer wait, one worker is removed per second down to cheaper. (uWSGI reads
 * cheaper-overload as a queue length here, not as seconds.)
 */
import { KEEP, startable, type CheaperDecision, type CheaperInputs, type CheaperSettings } from './types';

export function backlog(i: CheaperInputs, c: CheaperSettings): CheaperDecision {
  const running = i.workers.length;
  if (i.canSpawn && i.backlog > c.overload) {
    const add = startable(running, c.step, c.max);
    return add > 0 ? { delta: add, reason: `${i.backlog} connection(s) in the listen queue (over ${c.overload})` } : KEEP;
  }
  if (i.backlog < c.overload && running > c.min) {
    return { delta: -1, reason: `${i.backlog} connection(s) in the listen queue (under ${c.overload})` };
  }
  return KEEP;
}
