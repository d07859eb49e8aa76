// Time limits as AbortSignals that fire on every Node version: an AbortController and a plain timer,
// never AbortSignal.timeout() inside AbortSignal.any(), which Node 20 garbage-collects (nodejs/node#57736).

export interface Deadline {
  /** Aborts when the time is up or any of the given signals aborts. */
  readonly signal: AbortSignal;
  /** true once the time ran out (rather than a given signal aborting). */
  readonly timedOut: boolean;
  /** Stops the timer and detaches from the given signals; call it in `finally`. */
  release(): void;
}

/** A signal that aborts after `ms` or when one of `signals` aborts, whichever comes first. */
export function deadline(ms: number, ...signals: (AbortSignal | undefined)[]): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const sources = signals.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => {
    controller.abort((event.target as AbortSignal).reason);
    release();
  };
  const release = () => {
    clearTimeout(timer);
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
      release();
    },
    Math.max(0, ms),
  );
  // Like AbortSignal.timeout(): a pending deadline alone does not keep the process alive.
  timer.unref();
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      release();
      break;
    }
    source.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    release,
  };
}
