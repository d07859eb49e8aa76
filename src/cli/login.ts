// oauth-mcp login [provider] [--device]: the link or code first, then a spinner until the user has signed in.

import type { SignInKind, SignInResult } from '../auth/index.js';
import { redactSecrets } from '../secrets/index.js';
import { type Command, EXIT } from './command.js';
import type { Terminal } from './terminal.js';

/** One wait never outlasts a flow's lifetime; the loop re-checks until the flow ends. */
const MAX_WAIT_SECONDS = 600;
const INTERRUPTED = 130;

export const loginCommand: Command = {
  usage: 'login [provider] [--device]',
  summary: 'sign in (browser, or a device code when no browser can open)',
  options: { device: { type: 'boolean' } },
  maxPositionals: 1,
  run: async ({ runtime, term, positionals, values }) => {
    const ctx = runtime.engine.ctx;
    const { canOpenBrowser, continueSignIn, startSignIn } = await import('../auth/index.js');
    const provider = await ctx.registry.resolve(positionals[0]);
    const flow = chooseFlow(canOpenBrowser(ctx.openBrowser), provider.metadata, values.device === true);
    const started = await startSignIn(ctx, { provider: provider.name, flow }, { openBrowser: true });
    showHowToSignIn(term, started);

    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once('SIGINT', interrupt);
    const stop = term.spinner('Waiting for you to sign in (Ctrl+C to stop)...');
    let result: SignInResult = started;
    try {
      while (result.status === 'pending' && !controller.signal.aborted) {
        const left = Math.ceil((Date.parse(result.expires_at ?? '') - Date.now()) / 1000);
        const wait = Number.isFinite(left) ? Math.min(Math.max(left, 1), MAX_WAIT_SECONDS) : MAX_WAIT_SECONDS;
        result = await continueSignIn(ctx, started.flow_id, wait, { signal: controller.signal });
      }
    } finally {
      stop();
      process.off('SIGINT', interrupt);
    }
    if (result.status === 'authenticated' && result.session) {
      const { session } = result;
      term.out(
        `Signed in${session.subject ? ` as ${session.subject}` : ''} at ${session.provider} (session ${session.session_id}, scope "${session.scope}"${session.expires_at ? `, access token until ${session.expires_at}` : ''}).`,
      );
      term.err('MCP hosts using the same config and store now find this session.');
      return EXIT.ok;
    }
    if (result.status === 'pending') {
      term.err(
        'Stopped waiting. The sign-in stays pending until it expires; run oauth-mcp login again to start over.',
      );
      return INTERRUPTED;
    }
    term.err(result.message);
    return EXIT.problem;
  },
};

/** --device, or the device flow when no browser can open here and the provider offers it. */
function chooseFlow(
  browser: boolean,
  metadata: { device_authorization_endpoint?: string | undefined },
  device: boolean,
): SignInKind | undefined {
  if (device) return 'device_code';
  if (!browser && metadata.device_authorization_endpoint) return 'device_code';
  return undefined;
}

/** The server chose the URL and the code: they are printed through redaction, like every exit. */
function showHowToSignIn(term: Terminal, started: SignInResult): void {
  if (started.flow === 'authorization_code') {
    term.err(`To sign in to ${started.provider}, open this page in a browser on this machine:`);
    term.out(`  ${redactSecrets(started.authorization_url ?? '')}`);
    if (started.browser_opened) term.err('(opened in your browser)');
    return;
  }
  term.err(`To sign in to ${started.provider}, open this page on any device and confirm the code:`);
  term.out(`  ${redactSecrets(started.verification_uri_complete ?? started.verification_uri ?? '')}`);
  term.out(`  code: ${redactSecrets(started.user_code ?? '')}`);
}
