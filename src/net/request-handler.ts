// One policy for every HTTP listener of ours: nothing a request does can throw out of its handler (an
// error thrown in a 'request' listener ends the whole process); a failure answers 500, or drops only that
// connection when the answer had already begun.

import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export function guardedRequestHandler(
  handle: Handler,
  onError: (error: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (res: ServerResponse, error: unknown) => {
    try {
      onError(error);
    } catch {
      // a failing logger must not take the process down either
    }
    if (res.headersSent) return void res.destroy();
    try {
      res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('internal error');
    } catch {
      res.destroy();
    }
  };
  return (req, res) => {
    try {
      const done = handle(req, res);
      if (done instanceof Promise) done.catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  };
}
