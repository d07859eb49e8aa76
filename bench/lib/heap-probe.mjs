// Preloaded into a benchmarked server (`node --expose-gc --import`): on SIGUSR2 it collects garbage and
// writes the heap still in use to stderr, so a benchmark can tell memory kept from garbage not yet collected.

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  process.stderr.write(`heap-probe ${process.memoryUsage().heapUsed}\n`);
});
