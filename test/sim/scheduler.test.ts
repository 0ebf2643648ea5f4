import { describe, expect, test } from 'vitest';
import { Scheduler } from '../../sim/scheduler.ts';
import { RandomStreams } from '../../experiment/rng.ts';

describe('sim: scheduler', () => {
  test('events run in time order and ties run in the order they were scheduled', () => {
    const scheduler = new Scheduler(1_000);
    const seen: string[] = [];
    scheduler.at(5, () => seen.push('b'));
    scheduler.at(1, () => seen.push('a'));
    scheduler.at(5, () => seen.push('c'));
    scheduler.at(5, () => scheduler.at(5, () => seen.push('e')));
    scheduler.at(5, () => seen.push('d'));
    scheduler.run(10);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(scheduler.nowMs).toBe(10);
  });

  test('a self-rescheduling event stops at stepsMax and says so', () => {
    const scheduler = new Scheduler(100);
    const loop = () => scheduler.at(scheduler.nowMs, loop);
    scheduler.at(0, loop);
    scheduler.run(1);
    expect(scheduler.stepsExhausted).toBe(true);
    expect(scheduler.steps).toBe(100);
  });
});

describe('sim: random streams', () => {
  test('a stream replays from the same seed and differs by component name', () => {
    const draws = (seed: number, name: string) => {
      const stream = new RandomStreams(seed).stream(name);
      return [stream.uint32(), stream.uint32(), stream.uint32()];
    };
    expect(draws(1, 'arrivals')).toEqual(draws(1, 'arrivals'));
    expect(draws(1, 'arrivals')).not.toEqual(draws(1, 'sessions'));
    expect(draws(1, 'arrivals')).not.toEqual(draws(2, 'arrivals'));
  });

  test('drawing from the debug stream does not shift any other stream', () => {
    const quiet = new RandomStreams(9);
    const noisy = new RandomStreams(9);
    noisy.debug.uint32();
    expect(noisy.stream('network').float01()).toBe(quiet.stream('network').float01());
  });
});
