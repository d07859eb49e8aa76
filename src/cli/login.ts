// oauth-mcp login [provider]: the link or code first, then a spinner until the person has signed in; where no
// browser opened, a pasted callback URL finishes it too. --client-credentials gets a machine token instead.

import type { EngineContext, SignInKind, SignInResult } from '../auth/index.js';
import type { SessionView } from '../auth/views.js';
import { OAuthToolError } from '../errors.js';
import { redactSecrets } from '../secrets/index.js';
import { type Command, EXIT } from './command.js';
import type { Terminal } from './terminal.js';

/** One wait never outlasts a flow's lifetime; the loop re-checks until the flow ends. */
const MAX_WAIT_SECONDS = 600;
const INTERRUPTED = 130;

export const loginCommand: Command = {
  usage: 'login [provider] [--device] [--client-credentials] [--json]',
  summary: 'sign in (browser, or a device code when no browser can open)',
  options: {
    device: { type: 'boolean', help: 'the device flow: a link and a code to confirm on any device' },
    'client-credentials': {
      type: 'boolean',
      help: 'get a machine token for a confidential client instead of signing a person in',
    },
    json: { type: 'boolean', help: 'the outcome as JSON on stdout (the link or code still go to stderr)' },
  },
  examples: [
    ['oauth-mcp login', 'sign in to the default provider'],
    ['oauth-mcp login work --device', 'sign in to "work" from another device'],
    ['oauth-mcp login --client-credentials ci', 'a machine token for the confidential client "ci"'],
    ['oauth-mcp login --demo', 'sign in to the demo server of oauth-mcp demo'],
  ],
  maxPositionals: 1,
  run: async ({ runtime, term, positionals, values }) => {
    const ctx = runtime.engine.ctx;
    const json = values.json === true;
    if (values['client-credentials']) {
      const { grantClientCredentials, toSessionView } = await import('../auth/index.js');
      const { session } = await grantClientCredentials(ctx, { provider: positionals[0], forceNew: true });
      return signedIn(term, ctx, toSessionView(session, false), json);
    }
    const result = await signIn(ctx, term, positionals[0], values.device === true);
    if (result.status === 'authenticated' && result.session) return signedIn(term, ctx, result.session, json);
    if (json) term.out(JSON.stringify({ status: result.status, provider: result.provider }, null, 2));
    if (result.status === 'pending') {
      term.err(
        'Stopped waiting. The sign-in stays pending until it expires; run oauth-mcp login again to start over.',
      );
      return INTERRUPTED;
    }
    const again = `Run oauth-mcp login ${result.provider} to try again.`;
    term.err(
      result.status === 'denied'
        ? `The sign-in at ${result.provider} was declined, so nothing was granted. ${again}`
        : `The sign-in expired before you finished it. ${again}`,
    );
    return EXIT.problem;
  },
};

async function signIn(
  ctx: EngineContext,
  term: Terminal,
  name: string | undefined,
  device: boolean,
): Promise<SignInResult> {
  const { canOpenBrowser, completePastedCallback, continueSignIn, startSignIn } = await import(
    '../auth/index.js'
  );
  const provider = await ctx.registry.resolve(name);
  const flow = chooseFlow(canOpenBrowser(ctx.openBrowser), provider.metadata, device);
  const started = await startSignIn(ctx, { provider: provider.name, flow }, { openBrowser: true });
  const pasteable = started.flow === 'authorization_code' && !started.browser_opened;
  showHowToSignIn(term, started, pasteable);

  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt);
  let waiting = new AbortController();
  let pasted = false;
  // No browser here: the person signs in elsewhere and pastes the address the browser ended on.
  const stopReading = pasteable
    ? term.readLines(async (line) => {
        // Lines come one at a time, and none after a redeemed one: a code redeemed twice makes the
        // server revoke what the first redemption got.
        if (!line.trim() || pasted) return;
        try {
          await completePastedCallback(ctx, started.flow_id, line);
          pasted = true;
          waiting.abort();
        } catch (error) {
          if (!(error instanceof OAuthToolError)) throw error;
          term.err(error.message.replaceAll('callback_url', 'That address'));
        }
      })
    : () => undefined;
  // A spinner would redraw over an address being pasted: a plain line then.
  const waitingLine = 'Waiting for you to sign in (Ctrl+C to stop)...';
  if (pasteable) term.err(waitingLine);
  const stop = pasteable ? () => undefined : term.spinner(waitingLine);
  let result: SignInResult = started;
  try {
    while (result.status === 'pending' && !interrupted.signal.aborted) {
      waiting = new AbortController();
      const signal = AbortSignal.any([interrupted.signal, waiting.signal]);
      // Once an address was redeemed the outcome is in the store: read it without waiting.
      result = await continueSignIn(ctx, started.flow_id, pasted ? 0 : secondsToWait(result), { signal });
      if (pasted) break;
    }
  } finally {
    stop();
    stopReading();
    process.off('SIGINT', interrupt);
  }
  return result;
}

/** Until the flow expires, in slices of at most MAX_WAIT_SECONDS. */
function secondsToWait(result: SignInResult): number {
  const left = Math.ceil((Date.parse(result.expires_at ?? '') - Date.now()) / 1000);
  return Number.isFinite(left) ? Math.min(Math.max(left, 1), MAX_WAIT_SECONDS) : MAX_WAIT_SECONDS;
}

function signedIn(term: Terminal, ctx: EngineContext, session: SessionView, json: boolean): number {
  if (json) {
    term.out(JSON.stringify({ status: 'authenticated', session }, null, 2));
    return EXIT.ok;
  }
  const who = session.subject
    ? ` as ${session.subject}`
    : session.grant === 'client_credentials'
      ? ' (machine token)'
      : '';
  term.out(
    `Signed in${who} at ${session.provider} (session ${session.session_id}, scope "${session.scope}"${session.expires_at ? `, access token until ${session.expires_at}` : ''}).`,
  );
  term.err(
    ctx.vault.info.backend === 'memory'
      ? 'The token store is "memory": this session ends with this command. Set store.type in the config to keep sessions.'
      : 'MCP hosts using the same config and store now find this session.',
  );
  return EXIT.ok;
}

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
function showHowToSignIn(term: Terminal, started: SignInResult, pasteable: boolean): void {
  if (started.flow === 'authorization_code') {
    term.err(
      started.browser_opened
        ? `To sign in to ${started.provider}, your browser opened this page (open it yourself if not):`
        : `To sign in to ${started.provider}, open this page in a browser:`,
    );
    term.err(`  ${redactSecrets(started.authorization_url ?? '')}`);
    if (pasteable) {
      term.err(
        'If that browser is on another machine, it ends on a page that does not load: paste its address here and press Enter.',
      );
    }
    return;
  }
  term.err(`To sign in to ${started.provider}, open this page on any device and confirm the code:`);
  term.err(`  ${redactSecrets(started.verification_uri_complete ?? started.verification_uri ?? '')}`);
  term.err(`  code: ${redactSecrets(started.user_code ?? '')}`);
}
