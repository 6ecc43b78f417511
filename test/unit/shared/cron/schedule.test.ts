/**
 * The cron schedule parser and its next-fire computation: uWSGI's -1 / -N, crontab's *, *\/N,
 * lists and ranges, weekday 7, the day-or-weekday rule, and dates that never come. Times are
 * built in local time, as the schedule reads them.
 */
import { expect } from 'chai';
import { matches, nextFire, parseCronLine, parseSchedule, type CronSchedule } from '../../../../src/shared/cron/schedule';

function sched(text: string): CronSchedule {
  const p = parseSchedule(text);
  if ('problem' in p) throw new Error(p.problem);
  return p.schedule;
}

function problem(text: string): string {
  const p = parseSchedule(text);
  if (!('problem' in p)) throw new Error(`${text} parsed`);
  return p.problem;
}

/** Local time, minute precision: y, month 1-12, day, hour, minute. */
function at(y: number, mo: number, d: number, h = 0, mi = 0): number {
  return new Date(y, mo - 1, d, h, mi).getTime();
}

function show(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The next `n` fire times after `from`. */
function fires(text: string, from: number, n: number): string[] {
  const s = sched(text);
  const out: string[] = [];
  let t: number | undefined = from;
  for (let i = 0; i < n && t !== undefined; i++) {
    t = nextFire(s, t);
    out.push(show(t));
  }
  return out;
}

describe('shared/cron/schedule: uWSGI and crontab schedules', () => {
  describe('fields', () => {
    it('-1 and * are every value', () => {
      for (const every of ['-1 -1 -1 -1 -1', '* * * * *']) {
        const s = sched(every);
        expect(s.minutes.size).to.equal(60);
        expect(s.hours.size).to.equal(24);
        expect(s.days.size).to.equal(31);
        expect(s.months.size).to.equal(12);
        expect([...s.weekdays].sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
        expect(s.dayOrWeekday).to.equal(false);
      }
    });

    it('-N is every value divisible by N, as uWSGI computes it (days and months too)', () => {
      const s = sched('-15 -6 -10 -4 -1');
      expect([...s.minutes]).to.deep.equal([0, 15, 30, 45]);
      expect([...s.hours]).to.deep.equal([0, 6, 12, 18]);
      expect([...s.days]).to.deep.equal([10, 20, 30]);
      expect([...s.months]).to.deep.equal([4, 8, 12]);
    });

    it('*/N steps from the first value of the field, as crontab does', () => {
      const s = sched('*/20 */12 */10 */5 */3');
      expect([...s.minutes]).to.deep.equal([0, 20, 40]);
      expect([...s.hours]).to.deep.equal([0, 12]);
      expect([...s.days]).to.deep.equal([1, 11, 21, 31]);
      expect([...s.months]).to.deep.equal([1, 6, 11]);
      expect([...s.weekdays].sort()).to.deep.equal([0, 3, 6]);
    });

    it('lists, ranges, stepped ranges and A/N', () => {
      const s = sched('1,2,30-32,50-59/4 9-17 1 1-3,12 1-5');
      expect([...s.minutes]).to.deep.equal([1, 2, 30, 31, 32, 50, 54, 58]);
      expect([...s.hours]).to.deep.equal([9, 10, 11, 12, 13, 14, 15, 16, 17]);
      expect([...s.months]).to.deep.equal([1, 2, 3, 12]);
      expect([...sched('5/20 * * * *').minutes]).to.deep.equal([5, 25, 45]);
    });

    it('weekday 7 is Sunday', () => {
      expect([...sched('0 0 * * 7').weekdays]).to.deep.equal([0]);
      expect([...sched('0 0 * * 5-7').weekdays].sort()).to.deep.equal([0, 5, 6]);
    });

    it('day and weekday are ORed only when both are restricted', () => {
      expect(sched('0 0 13 * 5').dayOrWeekday).to.equal(true);
      expect(sched('0 0 13 * *').dayOrWeekday).to.equal(false);
      expect(sched('0 0 -1 * 5').dayOrWeekday).to.equal(false);
      expect(sched('0 0 */2 * 5').dayOrWeekday).to.equal(false);
    });

    it('keeps the fields as written, blanks normalised', () => {
      expect(sched('  0   4 * *  1 ').text).to.equal('0 4 * * 1');
    });
  });

  describe('refusals, each naming the field', () => {
    const cases: [string, RegExp][] = [
      ['* * * *', /expected 5 fields .* got 4/],
      ['* * * * * *', /got 6/],
      ['', /got 0/],
      ['60 * * * *', /minute "60": values go from 0 to 59/],
      ['* 24 * * *', /hour "24"/],
      ['* * 0 * *', /day "0": values go from 1 to 31/],
      ['* * * 13 *', /month "13"/],
      ['* * * * 8', /weekday "8"/],
      ['-0 * * * *', /minute "-0": a negative value/],
      ['*/0 * * * *', /step must be at least 1/],
      ['5-1 * * * *', /range 5-1 goes backwards/],
      ['*-5 * * * *', /"\*" takes no range/],
      ['a * * * *', /minute "a": "a" is not/],
      ['1,,2 * * * *', /"" is not/],
      ['0 0 30 2 *', /never fires/],
      ['0 0 31 4,6,9,11 *', /never fires/],
    ];
    for (const [text, expected] of cases) {
      it(`"${text}"`, () => expect(problem(text)).to.match(expected));
    }
  });

  describe('cron lines', () => {
    it('five fields, then the command with its own blanks kept', () => {
      const p = parseCronLine('-5 -1 -1 -1 -1 /usr/bin/php  cleanup.php --all');
      if ('problem' in p) throw new Error(p.problem);
      expect(p.schedule.text).to.equal('-5 -1 -1 -1 -1');
      expect(p.command).to.equal('/usr/bin/php  cleanup.php --all');
    });

    it('a line without a command, or with a bad field, is a problem', () => {
      expect(parseCronLine('* * * * *')).to.have.property('problem').that.matches(/COMMAND/);
      expect(parseCronLine('* * * * 9 echo')).to.have.property('problem').that.matches(/weekday "9"/);
    });
  });

  describe('matches', () => {
    it('Friday the 13th: either one, when both are restricted', () => {
      const s = sched('0 12 13 * 5');
      expect(matches(s, new Date(at(2026, 3, 13, 12)))).to.equal(true); // a Friday 13th
      expect(matches(s, new Date(at(2026, 4, 13, 12)))).to.equal(true); // a Monday 13th
      expect(matches(s, new Date(at(2026, 4, 17, 12)))).to.equal(true); // a Friday
      expect(matches(s, new Date(at(2026, 4, 16, 12)))).to.equal(false); // a Thursday 16th
      expect(matches(s, new Date(at(2026, 4, 17, 13)))).to.equal(false); // wrong hour
    });

    it('both must match when one of them is *', () => {
      const s = sched('0 12 * * 5');
      expect(matches(s, new Date(at(2026, 4, 13, 12)))).to.equal(false);
      expect(matches(s, new Date(at(2026, 4, 17, 12)))).to.equal(true);
    });
  });

  describe('nextFire', () => {
    it('every minute: the next whole minute, strictly after', () => {
      expect(fires('* * * * *', at(2026, 6, 1, 10, 0) + 30_000, 3)).to.deep.equal(['2026-06-01 10:01', '2026-06-01 10:02', '2026-06-01 10:03']);
      expect(fires('* * * * *', at(2026, 6, 1, 10, 0), 1)).to.deep.equal(['2026-06-01 10:01']);
    });

    it('uWSGI -5: every five minutes on the clock, across the hour', () => {
      expect(fires('-5 -1 -1 -1 -1', at(2026, 6, 1, 10, 52), 3)).to.deep.equal(['2026-06-01 10:55', '2026-06-01 11:00', '2026-06-01 11:05']);
    });

    it('a daily job at 04:30 rolls over the day, the month and the year', () => {
      expect(fires('30 4 * * *', at(2026, 12, 31, 5, 0), 2)).to.deep.equal(['2027-01-01 04:30', '2027-01-02 04:30']);
    });

    it('weekdays only, 09:00: skips the weekend', () => {
      // 2026-06-05 is a Friday.
      expect(fires('0 9 * * 1-5', at(2026, 6, 5, 9, 0), 2)).to.deep.equal(['2026-06-08 09:00', '2026-06-09 09:00']);
    });

    it('Sunday written 7 fires on Sundays', () => {
      expect(fires('0 0 * * 7', at(2026, 6, 1), 2)).to.deep.equal(['2026-06-07 00:00', '2026-06-14 00:00']);
    });

    it('the 31st skips the months without one', () => {
      expect(fires('0 0 31 * *', at(2026, 1, 31, 1), 3)).to.deep.equal(['2026-03-31 00:00', '2026-05-31 00:00', '2026-07-31 00:00']);
    });

    it('February 29th: the next leap year', () => {
      expect(fires('0 0 29 2 *', at(2026, 1, 1), 2)).to.deep.equal(['2028-02-29 00:00', '2032-02-29 00:00']);
    });

    it('Friday the 13th (ORed): every 13th and every Friday', () => {
      expect(fires('0 0 13 * 5', at(2026, 4, 9), 4)).to.deep.equal(['2026-04-10 00:00', '2026-04-13 00:00', '2026-04-17 00:00', '2026-04-24 00:00']);
    });

    it('-N days fire on the days divisible by N (uWSGI), */N days from the 1st (crontab)', () => {
      expect(fires('0 0 -10 * *', at(2026, 6, 1), 4)).to.deep.equal(['2026-06-10 00:00', '2026-06-20 00:00', '2026-06-30 00:00', '2026-07-10 00:00']);
      expect(fires('0 0 */10 * *', at(2026, 6, 1, 1), 4)).to.deep.equal(['2026-06-11 00:00', '2026-06-21 00:00', '2026-07-01 00:00', '2026-07-11 00:00']);
    });

    it('agrees with matches() minute by minute over two days', () => {
      const specs = ['*/7 */5 * * *', '0,30 9-17 * * 1-5', '-3 -2 -1 -1 -1', '15 2 13 * 5'];
      for (const spec of specs) {
        const s = sched(spec);
        let t = at(2026, 3, 12, 22, 0);
        for (let i = 0; i < 2 * 24 * 60; i++) {
          const next = nextFire(s, t) as number;
          let m = t + 60_000;
          while (m < next) {
            expect(matches(s, new Date(m)), `${spec} at ${show(m)}`).to.equal(false);
            m += 60_000;
          }
          expect(matches(s, new Date(next)), `${spec} at ${show(next)}`).to.equal(true);
          t = next;
          if (t > at(2026, 3, 14, 22, 0)) break;
        }
      }
    });
  });
});
