// Preloaded into a benchmarked server (`node --expose-gc --import`): on SIGUSR2 it collects garbage and
// writes the heap still in use to stderr, so a benchmark can tell memory kept from garbage not yet collected.
// A second collection, a turn later, takes what FinalizationRegistry callbacks release after the first
// (AbortSignal.timeout() keeps its timer there until its signal is collected).

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  setTimeout(() => {
    globalThis.gc?.();
    process.stderr.write(`heap-probe ${process.memoryUsage().heapUsed}\n`);
  }, 100);
});
