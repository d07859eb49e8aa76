// Turns an error's structured next step (auth/ knows no tools) into the sentence naming the tool to call.

import type { NextStep, OAuthToolError } from '../auth/errors.js';

const quoted = (value: string | undefined, key: string) => (value === undefined ? '' : `${key} "${value}"`);

/** Arguments the model can pass as they are: `provider "work", session_id "s1"`. */
function argumentsOf(next: NextStep): string {
  const parts = [
    quoted(next.provider, 'provider'),
    quoted(next.session_id, 'session_id'),
    quoted(next.flow_id, 'flow_id'),
    next.scopes ? `scopes ${JSON.stringify(next.scopes)}` : '',
    next.force_new ? 'force_new: true' : '',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const SENTENCES: Record<NextStep['action'], (next: NextStep) => string> = {
  sign_in: (n) => `Start a new sign-in with oauth_authenticate_user${argumentsOf(n)}.`,
  continue_sign_in: (n) => `Call oauth_authenticate_user again${argumentsOf(n)} to wait for it to finish.`,
  client_credentials: (n) => `Get a machine token with oauth_client_credentials${argumentsOf(n)}.`,
  register_client: (n) => `Register a client with oauth_register_client${argumentsOf(n)}.`,
  forget_client: (n) => `Forget the profile with oauth_delete_client${argumentsOf(n)} and local_only: true.`,
  remove_session: (n) => `Remove the session with oauth_revoke_access${argumentsOf(n)}.`,
  list_sessions: (n) => `See the sessions with oauth_list_sessions${argumentsOf(n)}.`,
  discover: (n) => `See what the server supports with oauth_discover${argumentsOf(n)}.`,
  retry: () => 'Try the same call again later.',
};

/** The public message with the next step's sentence appended. */
export function messageWithNextStep(error: OAuthToolError): string {
  return error.next ? `${error.message} ${SENTENCES[error.next.action](error.next)}` : error.message;
}
