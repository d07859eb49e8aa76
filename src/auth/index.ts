// The OAuth engine as a library (no MCP): every operation is a function of an EngineContext, named in
// RFC terms. Tools load this module on their first call, so start-up and tools/list stay fast.

export { OAuthToolError } from '../errors.js';
export { callApi } from './api/call.js';
export { userInfo } from './api/userinfo.js';
export { jwksReport } from './diagnostics/jwks-report.js';
export { auditServer } from './diagnostics/server-audit.js';
export { inspectToken } from './diagnostics/token-inspection.js';
export { OAuthEngine } from './engine.js';
export type { EngineContext } from './engine-context.js';
export { discover } from './provider/discovery.js';
export { ProviderRegistry } from './provider/registry.js';
export { deleteClient, readClient, updateClient } from './registration/client-management.js';
export { registerClient } from './registration/registration.js';
export { listSessionPage } from './sessions/session-pages.js';
export { listSessions } from './sessions/sessions.js';
export { completeAuthorizationCallback } from './sign-in/authorization-code.js';
export { completePastedCallback } from './sign-in/pasted-callback.js';
export { abandonSignIn, continueSignIn, linkReachesUser, startSignIn } from './sign-in/sign-in.js';
export { handleStartPage } from './sign-in/start-page.js';
export { clientCredentials, machineToken } from './tokens/client-credentials.js';
export { introspect } from './tokens/introspection.js';
export { refreshSession, refreshToken } from './tokens/refresh.js';
export { revoke } from './tokens/revocation.js';
