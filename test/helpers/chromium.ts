// Real headless Chromium (Debian `chromium`, or CHROMIUM_PATH) through playwright-core, one per test file:
// `const browser = useChromium()` at the top of a file, `browser()` inside its tests.

import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { needsProgram } from './programs.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  const available = needsProgram(CHROMIUM, 'apt-get install -y chromium (or set CHROMIUM_PATH)');
  beforeAll(async () => {
    if (!available) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running (use it inside tests)');
    return browser;
  };
}
