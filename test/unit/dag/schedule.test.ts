import assert from 'node:assert/strict';
import { cronNext, cronPrev, parseCron } from '../../../src/dag/cron';
import { parseDate } from '../../../src/dag/dates';
import { parseDuration } from '../../../src/dag/duration';
import { parseCpu, parseMemory } from '../../../src/dag/quantity';
import {
  defaultLogicalDate,
  intervalAt,
  intervalsBetween,
  latestCompleteInterval,
  parseSchedule,
  type Schedule,
} from '../../../src/dag/schedule';
import { shellSplit } from '../../../src/dag/shellSplit';

const d = (s: string) => new Date(s);
const sched = (s: string): Schedule => {
  const r = parseSchedule(s);
  if ('error' in r) throw new Error(r.error.message);
  return r.schedule;
};
const iso = (x: Date) => x.toISOString();

describe('schedules and data intervals', () => {
  it('gives @daily the interval [day, next day) with the day as logical date', () => {
    const i = intervalAt(sched('@daily'), d('2019-01-01T00:00:00Z'));
    assert.equal(iso(i.start), '2019-01-01T00:00:00.000Z');
    assert.equal(iso(i.end), '2019-01-02T00:00:00.000Z');
  });

  it('aligns a date inside an interval to the interval start', () => {
    const i = intervalAt(sched('0 6 * * *'), d('2019-01-01T12:00:00Z'));
    assert.equal(iso(i.start), '2019-01-01T06:00:00.000Z');
  });

  it('backfills every interval in a range, in order', () => {
    const runs = intervalsBetween(sched('@daily'), d('2019-01-01T00:00:00Z'), d('2019-01-03T00:00:00Z'));
    assert.deepEqual(
      runs.map((r) => iso(r.start).slice(0, 10)),
      ['2019-01-01', '2019-01-02', '2019-01-03'],
    );
  });

  it('runs the most recent complete interval', () => {
    const i = latestCompleteInterval(sched('@daily'), d('2024-05-10T15:00:00Z'));
    assert.equal(iso(i.start), '2024-05-09T00:00:00.000Z');
    assert.equal(iso(i.end), '2024-05-10T00:00:00.000Z');
  });

  it('offers the last complete interval as the default date: a day for a daily schedule, a UTC date-time that parses back to the same interval for an hourly one', () => {
    const now = d('2024-05-10T15:20:00Z');
    assert.equal(defaultLogicalDate(sched('@daily'), now), '2024-05-09');
    assert.equal(defaultLogicalDate(sched('@once'), now), '2024-05-10');
    const hourly = sched('@hourly');
    const offered = defaultLogicalDate(hourly, now);
    assert.equal(offered, '2024-05-10T14:00:00Z');
    const parsed = parseDate(offered);
    assert.ok(parsed.succeeded);
    assert.deepEqual(intervalAt(hourly, parsed.result), latestCompleteInterval(hourly, now));
  });

  it('handles weekly, monthly and weekday cron', () => {
    assert.equal(iso(cronNext(parseCronOk('@weekly'), d('2024-05-10T00:00:00Z'))!), '2024-05-12T00:00:00.000Z');
    assert.equal(iso(cronNext(parseCronOk('0 0 1 * *'), d('2024-01-31T00:00:00Z'))!), '2024-02-01T00:00:00.000Z');
    assert.equal(
      iso(cronNext(parseCronOk('30 6 * * mon-fri'), d('2024-05-10T07:00:00Z'))!),
      '2024-05-13T06:30:00.000Z',
    );
    assert.equal(iso(cronPrev(parseCronOk('*/15 * * * *'), d('2024-05-10T07:00:00Z'))!), '2024-05-10T06:45:00.000Z');
    assert.equal(iso(cronNext(parseCronOk('0 0 29 2 *'), d('2024-03-01T00:00:00Z'))!), '2028-02-29T00:00:00.000Z');
  });

  it('ORs day-of-month and day-of-week when both are restricted, like Vixie cron', () => {
    const next = cronNext(parseCronOk('0 0 13 * fri'), d('2024-09-01T00:00:00Z'))!;
    assert.equal(iso(next), '2024-09-06T00:00:00.000Z');
  });

  it('names the wrong cron field', () => {
    const r = parseCron('0 25 * * *');
    assert.ok('error' in r && r.error.field === 1);
    const r2 = parseCron('0 0 * 13 *');
    assert.ok('error' in r2 && r2.error.field === 3);
  });

  function parseCronOk(s: string) {
    const sc = sched(s);
    assert.equal(sc.kind, 'cron');
    return (sc as Extract<Schedule, { kind: 'cron' }>).cron;
  }
});

describe('values', () => {
  it('parses durations with units largest first', () => {
    assert.deepEqual(
      ['90s', '10m', '1h30m', '2d', '500ms'].map((s) => (parseDuration(s) as { result: number }).result),
      [90_000, 600_000, 5_400_000, 172_800_000, 500],
    );
    for (const bad of ['', '10', '10 minutes', '1m1h', 'm']) assert.equal(parseDuration(bad).succeeded, false, bad);
  });

  it('parses Kubernetes quantities', () => {
    assert.equal((parseCpu('500m') as { result: number }).result, 0.5);
    assert.equal((parseCpu('2') as { result: number }).result, 2);
    assert.equal((parseMemory('256Mi') as { result: number }).result, 256 * 2 ** 20);
    assert.equal((parseMemory('1G') as { result: number }).result, 1e9);
    assert.equal(parseMemory('512m').succeeded, false);
    assert.equal(parseCpu('2Gi').succeeded, false);
  });

  it('parses dates and date-times in UTC unless an offset is given', () => {
    assert.equal(iso((parseDate('2019-01-01') as { result: Date }).result), '2019-01-01T00:00:00.000Z');
    assert.equal(iso((parseDate('2019-01-01T06:00:00+02:00') as { result: Date }).result), '2019-01-01T04:00:00.000Z');
    assert.equal(parseDate('2019-02-30').succeeded, false);
  });

  it('splits a command string like a POSIX shell, without one', () => {
    assert.deepEqual(shellSplit(`python -c 'print("a b")' "x y" z\\ w`), [
      'python',
      '-c',
      'print("a b")',
      'x y',
      'z w',
    ]);
    assert.deepEqual(shellSplit(`echo ''`), ['echo', '']);
  });
});
