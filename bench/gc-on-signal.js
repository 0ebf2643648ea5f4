// Bench-only preload (`NODE_OPTIONS="--expose-gc --import ./bench/gc-on-signal.js"`): a full GC on
// SIGURG, so `memory-per-connection.ts` reads a Node server's RSS without uncollected garbage.
process.on('SIGURG', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
