// Preloaded into a server whose memory a benchmark compares (NODE_OPTIONS, with --expose-gc): SIGUSR2 runs a
// full garbage collection and reports the live heap on stderr, so memory is read at its floor and not at a
// random point of V8's sawtooth. What FinalizationRegistry callbacks release after the first collection
// (AbortSignal.timeout() keeps its timer there until its signal is collected) goes in a second one.
process.on('SIGUSR2', () => {
  global.gc();
  setTimeout(() => {
    global.gc();
    process.stderr.write(`bench-heap-used ${process.memoryUsage().heapUsed}\n`);
  }, 100);
});
