/**
 * CommandMeter replaces prom-client's Counter and Histogram on the hot path; its exposition must
 * be exactly what prom-client would print for the same observations, so dashboards, rules and
 * promtool cannot tell them apart.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import client from 'prom-client';
import { expect } from 'vitest';
import { CommandMeter } from '../../../impl/adapters/command-meter.ts';

const bounds = [0.0005, 0.001, 0.01, 0.1, 1];

propertyTest.prop([
  fc.array(fc.tuple(fc.constantFrom('WHO', 'WHY', 'WHERE'), fc.double({ min: 0, max: 3, noNaN: true })), {
    maxLength: 60,
  }),
])(
  'the exposition equals prom-client’s Counter and Histogram for the same observations',
  async (observations) => {
    const reference = new client.Registry();
    const counter = new client.Counter({
      name: 'c_total',
      help: 'h',
      labelNames: ['command'],
      registers: [reference],
    });
    const histogram = new client.Histogram({
      name: 'd_seconds',
      help: 'h',
      labelNames: ['command'],
      buckets: bounds,
      registers: [reference],
    });
    const meter = new CommandMeter(bounds);
    const ours = new client.Registry();
    ours.registerMetric(meter.counter('c_total', 'h') as never);
    ours.registerMetric(meter.histogram('d_seconds', 'h') as never);
    for (const [command, seconds] of observations) {
      counter.inc({ command });
      histogram.observe({ command }, seconds);
      meter.record(command, seconds);
    }
    const sortLines = (text: string) => text.split('\n').sort();
    expect(sortLines(await ours.metrics())).toEqual(sortLines(await reference.metrics()));
  },
);
