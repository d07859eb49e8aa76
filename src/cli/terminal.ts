// Terminal output of the people's commands: results on stdout, progress and problems on stderr, a spinner only on a TTY.

export interface Terminal {
  /** Results: what a script may capture (a token, JSON). */
  out(text: string): void;
  /** Instructions, progress and problems. */
  err(text: string): void;
  /** Shows `message` with a spinner until the returned function is called (nothing when stderr is not a TTY). */
  spinner(message: string): () => void;
  /** Calls `onLine` for each line typed or piped in, until the returned function is called. */
  readLines(onLine: (line: string) => Promise<void>): () => void;
}

import { createInterface } from 'node:readline';

const FRAMES = ['|', '/', '-', '\\'];
const SPINNER_INTERVAL_MS = 150;

export function processTerminal(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
  stdin: NodeJS.ReadStream = process.stdin,
): Terminal {
  return {
    out: (text) => void stdout.write(`${text}\n`),
    err: (text) => void stderr.write(`${text}\n`),
    spinner: (message) => {
      if (!stderr.isTTY) return () => undefined;
      let frame = 0;
      let drawn = false;
      const draw = () => {
        drawn = true;
        stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${message}`);
      };
      // A quick answer shows nothing; a wait shows the spinner well within a second.
      const timer = setInterval(draw, SPINNER_INTERVAL_MS);
      return () => {
        clearInterval(timer);
        if (drawn) stderr.write(`\r${' '.repeat(message.length + 2)}\r`);
      };
    },
    readLines: (onLine) => {
      const lines = createInterface({ input: stdin, terminal: false });
      // One line at a time, in order: a line that arrives while the last is handled waits its turn.
      let handled: Promise<void> = Promise.resolve();
      lines.on('line', (line) => {
        handled = handled.catch(() => undefined).then(() => onLine(line));
      });
      return () => {
        lines.close();
        stdin.pause();
      };
    },
  };
}

/** Plain aligned columns for people; `--json` is the form for scripts. */
export function table(rows: string[][]): string {
  const widths = rows.reduce<number[]>(
    (acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)),
    [],
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
