// The OAuth engine as a library (no MCP): every operation is a function of an EngineContext, named in
// RFC terms. Tools load this module on their first call, so start-up and tools/list stay fast.

export { OAuthToolError } from '../errors.js';
export { callApi } from './api-call.js';
export { completeAuthorizationCallback } from './authorization-code.js';
export { clientCredentials, machineToken } from './client-credentials.js';
export { deleteClient, readClient, updateClient } from './client-management.js';
export { discover } from './discovery.js';
export { OAuthEngine } from './engine.js';
export type { EngineContext } from './engine-context.js';
export { introspect } from './introspection.js';
export { jwksReport } from './jwks-report.js';
export { completePastedCallback } from './pasted-callback.js';
export { ProviderRegistry } from './providers.js';
export { refreshSession, refreshToken } from './refresh.js';
export { registerClient } from './registration.js';
export { revoke } from './revocation.js';
export { auditServer } from './server-audit.js';
export { listSessionPage } from './session-pages.js';
export { listSessions } from './sessions.js';
export { abandonSignIn, continueSignIn, linkReachesUser, startSignIn } from './sign-in.js';
export { handleStartPage } from './start-page.js';
export { inspectToken } from './token-inspection.js';
export { userInfo } from './userinfo.js';
