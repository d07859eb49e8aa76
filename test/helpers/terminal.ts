// Running oauth-mcp's people's commands as a person and as a script does: in a real pseudo-terminal
// (util-linux `script`), or plainly with pipes. Both resolve when the command exits.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI } from './mcp-server-process.js';

/** A shell word: `'it''s'` quoting, so any argument reaches the command as it was. */
export const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Runs `argv` in a pseudo-terminal; `onOutput` sees the screen as it grows and may type into it.
 * script -e: exit with the child's code; -q: no banner; -f: flush as written; -c: the command.
 */
export function inTerminal(
  argv: string[],
  env: NodeJS.ProcessEnv,
  onOutput: (output: string, type: (text: string) => void) => void = () => undefined,
): Promise<{ code: number | null; output: string }> {
  const child = spawn('script', ['-qefc', argv.map(quote).join(' '), '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const type = (text: string) => void child.stdin.write(text);
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    onOutput(output, type);
  });
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

/** `oauth-mcp ...args` without a terminal, as a script runs it (async: a test's AS answers from this process). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr })));
}

/**
 * `oauth-mcp ...args` run to its end in an environment of its own under `home` (CI: no browser), with
 * `input` (default none) on stdin.
 */
export function runCliSync(args: string[], home: string, env: Record<string, string> = {}, input = '') {
  return spawnSync(process.execPath, [CLI, ...args], {
    input,
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      CI: 'true',
      ...env,
    },
  });
}
