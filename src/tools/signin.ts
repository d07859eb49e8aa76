// Toolset "signin": oauth_authenticate_user, mapping MCP input/output (progress, cancellation, URL
// elicitation) onto auth/sign-in.ts.

import { type ClientCapabilities, inputRequired, inputResponse } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { SignInResult, WaitHooks } from '../auth/index.js';
import { DEFAULT_WAIT_SECONDS, sessionViewSchema } from '../auth/views.js';
import { redactSecrets } from '../secrets/index.js';
import {
  capped,
  LIMITS,
  oauth,
  providerInput,
  resourceInput,
  scopesInput,
  sessionIdInput,
} from './common.js';
import { messageWithNextStep } from './next-step.js';
import { defineTool, NeedsInput, type ToolContext } from './tool.js';

/** Hosts give up on a tool call at about 60 s. */
const MAX_WAIT_SECONDS = 50;

const flowKind = () => z.enum(['authorization_code', 'device_code']);

/** The key of our one embedded input request (URL elicitation of the sign-in page). */
const LOGIN = 'login';

const signInInput = () =>
  z.object({
    provider: providerInput(),
    flow: flowKind().optional().describe('Default authorization_code; device_code without a browser'),
    scopes: scopesInput(),
    session_id: sessionIdInput().describe('Step-up: add `scopes` to this session'),
    resource: resourceInput(),
    login_hint: z.string().min(1).max(256).optional().describe('User to pre-fill on the login page'),
    prompt: z
      .string()
      .regex(/^[a-z_]+( [a-z_]+)*$/, 'space-separated prompt values such as "login" or "consent"')
      .max(100)
      .optional()
      .describe('OIDC prompt: login, consent, select_account or none'),
    flow_id: z
      .string()
      .regex(/^flw_[A-Za-z0-9_-]{8,64}$/, 'a flow_id returned by an earlier call')
      .optional()
      .describe('Continue this pending sign-in'),
    callback_url: capped('callback_url', LIMITS.apiUrl)
      .optional()
      .describe('With flow_id: the address the browser ended on'),
    wait_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_WAIT_SECONDS)
      .optional()
      .describe(`Seconds to wait for the user (default ${DEFAULT_WAIT_SECONDS}); 0 returns the link at once`),
  });
type SignInArguments = z.infer<ReturnType<typeof signInInput>>;

export const authenticateUserTool = defineTool({
  name: 'oauth_authenticate_user',
  toolset: 'signin',
  title: 'Sign a user in',
  description:
    'Sign the user in (authorization code + PKCE in a browser, or the device flow) and keep the session; with session_id and scopes, add scopes. While "pending", give the user authorization_url (or verification_uri and user_code), then call again with flow_id.',
  input: signInInput,
  output: () =>
    z.object({
      status: z.enum(['authenticated', 'pending', 'denied', 'expired']),
      flow: flowKind(),
      flow_id: z.string().describe('Pass it back to continue waiting while status is pending'),
      provider: z.string(),
      message: z.string().describe('What to tell the user or do next'),
      authorization_url: z.string().optional().describe('Code flow: the page the user opens to sign in'),
      verification_uri: z.string().optional().describe('Device flow: where the user enters user_code'),
      verification_uri_complete: z
        .string()
        .optional()
        .describe('Device flow: the same page with the code filled in'),
      user_code: z.string().optional().describe('Device flow: the code the user confirms'),
      expires_at: z.string().optional().describe('When the pending sign-in expires (ISO 8601)'),
      browser_opened: z.boolean().optional().describe('Whether a browser was opened on this machine'),
      session: sessionViewSchema.optional().describe('The signed-in session, when status is authenticated'),
      refresh_token_note: z
        .string()
        .optional()
        .describe(
          'When the sign-in brought no refresh token: the likely reason (offline_access not granted, a vendor parameter needed, the grant not allowed)',
        ),
    }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, ctx) => withNextStep(await signIn(args, ctx)),
});

async function signIn(args: SignInArguments, ctx: ToolContext): Promise<NeedsInput | SignInResult> {
  const engine = ctx.engine.ctx;
  const {
    abandonSignIn,
    completePastedCallback,
    continueSignIn,
    linkReachesUser,
    startSignIn,
    userFacingUrl,
  } = await oauth();
  const wait = args.wait_seconds ?? DEFAULT_WAIT_SECONDS;
  const hooks: WaitHooks = {
    signal: ctx.signal,
    progress: (elapsed, total, message) => ctx.progress(elapsed, total, message),
  };

  // Re-entry after URL elicitation: the flow id rides in requestState. It is only a key into the
  // caller's own vault, like the flow_id argument, so a forged value finds nothing of anyone else's.
  const resumed = ctx.mcp.mcpReq.requestState();
  if (typeof resumed === 'string' && resumed.startsWith('flw_')) {
    const answer = inputResponse(ctx.mcp.mcpReq.inputResponses, LOGIN);
    if (answer.kind === 'elicit' && answer.action === 'decline') return abandonSignIn(engine, resumed);
    return continueSignIn(engine, resumed, wait, hooks);
  }
  if (args.callback_url !== undefined) {
    const flowId = await completePastedCallback(engine, args.flow_id, args.callback_url);
    return continueSignIn(engine, flowId, 0, hooks);
  }
  if (args.flow_id) return continueSignIn(engine, args.flow_id, wait, hooks);

  const elicit = wait > 0 && supportsUrlElicitation(ctx.clientCapabilities());
  const started = await startSignIn(
    engine,
    {
      provider: args.provider,
      flow: args.flow,
      scopes: args.scopes,
      sessionId: args.session_id,
      resource: args.resource,
      loginHint: args.login_hint,
      prompt: args.prompt,
    },
    // The client shows the URL through elicitation: do not open a second browser tab ourselves.
    { openBrowser: !elicit },
  );
  if (elicit) return askToOpen(started, userFacingUrl);
  await tellClientLog(ctx, started);
  // No browser opened and no client to show the link: the model must relay it now, not after a wait.
  if (wait === 0 || !linkReachesUser(started, false)) return started;
  const result = await continueSignIn(engine, started.flow_id, wait, hooks);
  return result.status === 'pending' ? { ...result, browser_opened: started.browser_opened } : result;
}

/** A pending result's structured next step becomes the sentence naming this tool (auth/ names no tools). */
function withNextStep(result: NeedsInput | SignInResult): NeedsInput | Omit<SignInResult, 'next'> {
  if (result instanceof NeedsInput || !result.next) return result;
  const { next, ...rest } = result;
  return { ...rest, message: messageWithNextStep({ message: rest.message, next }) };
}

/** Hosts that show server log messages show the link too (the `logging` capability); best effort. */
async function tellClientLog(ctx: ToolContext, started: SignInResult): Promise<void> {
  const where = started.authorization_url ?? started.verification_uri_complete ?? started.verification_uri;
  const code = started.user_code ? ` and confirm the code ${started.user_code}` : '';
  try {
    // An exit like any other: the server chose the URL and the code, so they go through redaction.
    const message = redactSecrets(`Sign in to ${started.provider}: open ${where}${code}`);
    await ctx.mcp.mcpReq.log('notice', message, 'oauth-mcp');
  } catch (error) {
    ctx.logger.debug(`log notification failed: ${(error as Error).message}`);
  }
}

function supportsUrlElicitation(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation as { url?: unknown } | undefined;
  return elicitation?.url !== undefined;
}

function askToOpen(
  started: SignInResult,
  userFacingUrl: (url: string, what: string, from: string) => string,
): NeedsInput | SignInResult {
  const url = started.authorization_url ?? started.verification_uri_complete ?? started.verification_uri;
  if (!url) return started;
  userFacingUrl(url, 'a sign-in URL', `Provider "${started.provider}"`);
  const message =
    started.flow === 'authorization_code'
      ? `Sign in to ${started.provider}: open this page in your browser and approve access.`
      : `Sign in to ${started.provider}: open this page and confirm the code ${started.user_code}.`;
  return new NeedsInput(
    inputRequired({
      inputRequests: { [LOGIN]: inputRequired.elicitUrl({ message, url }) },
      requestState: started.flow_id,
    }),
  );
}
