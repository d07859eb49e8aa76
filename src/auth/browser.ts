// Opens a URL in the user's browser where a desktop is plausible; detached, never blocking, never failing a flow.

import { spawn } from 'node:child_process';
import type { Logger } from '../log.js';
import { userFacingUrlProblem } from './user-facing-url.js';

interface Launcher {
  command: string;
  args: string[];
}

/** How to open `url` on this platform, or undefined when no desktop is likely (servers, containers). */
export function browserLauncher(
  url: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Launcher | undefined {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // rundll32 takes the URL as one argument: `cmd /c start` would split it at every `&`.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [url] };
  return undefined;
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
