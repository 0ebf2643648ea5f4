// Bench-only preload (`NODE_OPTIONS="--expose-gc --import ./bench/gc-on-signal.js"`): a full,
// compacting GC on SIGURG, so `memory-per-connection.ts` reads a Node server's RSS without
// uncollected garbage and without the holes that garbage left in old-space pages (they stayed
// committed and moved a reading by +-400 B per connection from one fresh process to the next,
// while the live heap did not move). V8's memory reducer is off: it returns pooled free pages
// to the system at a moment of its own (seconds after start-up, i.e. during a measurement),
// which moved a fresh floor server's readings by +-200 B per connection.
import v8 from 'node:v8';

v8.setFlagsFromString('--compact-on-every-full-gc');
v8.setFlagsFromString('--no-memory-reducer');
process.on('SIGURG', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
