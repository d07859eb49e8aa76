// Terminal output of the people's commands: results on stdout, progress and problems on stderr, a spinner only on a TTY.

export interface Terminal {
  /** Results: what a script may capture (a token, JSON). */
  out(text: string): void;
  /** Instructions, progress and problems. */
  err(text: string): void;
  /** Shows `message` with a spinner until the returned function is called (nothing when stderr is not a TTY). */
  spinner(message: string): () => void;
}

const FRAMES = ['|', '/', '-', '\\'];

export function processTerminal(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Terminal {
  return {
    out: (text) => void stdout.write(`${text}\n`),
    err: (text) => void stderr.write(`${text}\n`),
    spinner: (message) => {
      if (!stderr.isTTY) return () => undefined;
      let frame = 0;
      const draw = () => stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${message}`);
      draw();
      const timer = setInterval(draw, 120);
      return () => {
        clearInterval(timer);
        stderr.write(`\r${' '.repeat(message.length + 2)}\r`);
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
