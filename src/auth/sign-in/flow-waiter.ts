// Waiting for a sign-in that someone else finishes (the redirect reaches a listener or /oauth/callback, in this
// process or another instance on the same store): woken by this store's flow changes, re-reading the record.

import { type FlowOutcome, onFlowChange, type PendingSignIn, readFlow } from '../repository/flow-records.js';
import type { Vault } from '../repository/vault.js';

/** Other instances finish flows too (HTTP mode, shared store): re-read the flow at least this often. */
const RECHECK_EVERY_MS = 1000;

/** The flow's outcome once recorded, `expired` once past its expiry or gone, undefined when `signal` aborts. */
export async function waitForOutcome(
  vault: Vault,
  flow: PendingSignIn,
  signal: AbortSignal,
): Promise<FlowOutcome | undefined> {
  const expiresAt = Date.parse(flow.expires_at);
  while (!signal.aborted) {
    const current = await readFlow(vault, flow.flow_id);
    if (!current) return { status: 'expired' };
    if (current.data.outcome) return current.data.outcome;
    if (Date.now() >= expiresAt) return { status: 'expired' };
    await changeOrTimeout(vault, flow.flow_id, Math.min(RECHECK_EVERY_MS, expiresAt - Date.now()), signal);
  }
  return undefined;
}

function changeOrTimeout(vault: Vault, flowId: string, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stopListening();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const stopListening = onFlowChange(vault.store, flowId, done);
    signal.addEventListener('abort', done, { once: true });
  });
}
