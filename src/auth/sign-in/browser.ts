// Opens a URL in the user's browser where a desktop is plausible; detached, never blocking, never failing a flow.

import { createRequire } from 'node:module';
import type { Logger } from '../../log.js';
import { userFacingUrlProblem } from './user-facing-url.js';

/** node:child_process loads when a browser is opened, not in every server's start-up. */
const require = createRequire(import.meta.url);

interface Launcher {
  command: string;
  args: string[];
}

/** How to open `url` on this platform, or undefined when no desktop is likely (servers, containers, SSH). */
export function browserLauncher(
  url: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Launcher | undefined {
  if (!desktopAvailable(platform, env)) return undefined;
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // rundll32 takes the URL as one argument: `cmd /c start` would split it at every `&`.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Whether a page opened here reaches the user: not without a display on Linux and the BSDs (servers,
 * containers), and not over SSH unless a display is forwarded (it would open on the remote machine's
 * screen, or nowhere).
 */
export function desktopAvailable(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const native = platform === 'darwin' || platform === 'win32';
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  // A forwarded X display reaches the user's screen through xdg-open; `open` and rundll32 never do.
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return display && !native;
  return native || display;
}

/** Returns whether a browser was launched; the URL is always returned to the user as well. */
export function openBrowser(url: string, logger: Logger): boolean {
  const problem = userFacingUrlProblem(url);
  if (problem) {
    logger.warn(`not opening a browser: the URL cannot be opened (${problem})`);
    return false;
  }
  const launcher = browserLauncher(url);
  if (!launcher) {
    logger.debug('not opening a browser: no desktop session detected');
    return false;
  }
  try {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(launcher.command, launcher.args, { detached: true, stdio: 'ignore' });
    child.on('error', (error) =>
      logger.info(`could not open a browser (${launcher.command}): ${error.message}`),
    );
    child.unref();
    return true;
  } catch (error) {
    logger.info(`could not open a browser (${launcher.command}): ${(error as Error).message}`);
    return false;
  }
}

/** Whether a sign-in page can be opened on this machine: allowed (config, --no-browser, CI) and a desktop found. */
export function canOpenBrowser(
  allowed: boolean,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return allowed && browserLauncher('about:blank', platform, env) !== undefined;
}
