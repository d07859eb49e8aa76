// Turns an error's structured next step (auth/ knows no tools) into the sentence naming the tool to call.

import type { NextStep, OAuthToolError } from '../errors.js';

/** The tool's arguments as the model can pass them: ` with provider "work", scopes ["email"]`. */
function argumentsOf(next: NextStep, extra: string[] = []): string {
  const parts = [
    next.provider === undefined ? '' : `provider "${next.provider}"`,
    next.session_id === undefined ? '' : `session_id "${next.session_id}"`,
    next.flow_id === undefined ? '' : `flow_id "${next.flow_id}"`,
    next.scopes ? `scopes ${JSON.stringify(next.scopes)}` : '',
    next.force_new ? 'force_new: true' : '',
    ...extra,
  ].filter(Boolean);
  return parts.length ? ` with ${parts.join(', ')}` : '';
}

const SENTENCES: Record<NextStep['action'], (next: NextStep) => string> = {
  sign_in: (n) =>
    `${n.session_id ? 'Sign in' : 'Start a new sign-in'}: call oauth_authenticate_user${argumentsOf(n)}.`,
  continue_sign_in: (n) =>
    `Continue the pending sign-in: call oauth_authenticate_user${n.flow_id ? '' : ' with its flow_id'}${argumentsOf(n)}.`,
  client_credentials: (n) => `Get a machine token: call oauth_client_credentials${argumentsOf(n)}.`,
  register_client: (n) => `Register a client: call oauth_register_client${argumentsOf(n)}.`,
  forget_client: (n) =>
    `Forget the profile: call oauth_delete_client${argumentsOf(n, ['local_only: true'])}.`,
  remove_session: (n) => `Remove the session: call oauth_revoke_access with its session_id${argumentsOf(n)}.`,
  list_sessions: (n) => `See the sessions: call oauth_list_sessions${argumentsOf(n)}.`,
  discover: (n) => `See what the server supports: call oauth_discover${argumentsOf(n)}.`,
  retry: () => 'Try the same call again later.',
};

/** The public message with the next step's sentence appended. */
export function messageWithNextStep(error: Pick<OAuthToolError, 'message' | 'next'>): string {
  return error.next ? `${error.message} ${SENTENCES[error.next.action](error.next)}` : error.message;
}
