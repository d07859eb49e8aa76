// Preloaded into a server whose memory a benchmark compares (NODE_OPTIONS, with --expose-gc): SIGUSR2 runs a
// full garbage collection and reports the live heap on stderr, so memory is read at its floor and not at a
// random point of V8's sawtooth.
process.on('SIGUSR2', () => {
  global.gc();
  process.stderr.write(`bench-heap-used ${process.memoryUsage().heapUsed}\n`);
});
