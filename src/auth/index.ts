// The OAuth engine as a library (no MCP): every operation is a function of an EngineContext, named in
// RFC terms. Tools load this module on their first call, so start-up and tools/list stay fast.

export { OAuthToolError } from '../errors.js';
export type { ApiCallRequest, ApiCallResult } from './api/call.js';
export { callApi } from './api/call.js';
export type { UserInfoRequest, UserInfoResult } from './api/userinfo.js';
export { userInfo } from './api/userinfo.js';
export type { JwksReport } from './diagnostics/jwks-report.js';
export { jwksReport } from './diagnostics/jwks-report.js';
export type { ServerAudit } from './diagnostics/server-audit.js';
export { auditServer } from './diagnostics/server-audit.js';
export { timeInWords } from './diagnostics/time-words.js';
export type { InspectionRequest, TokenInspection } from './diagnostics/token-inspection.js';
export { inspectToken } from './diagnostics/token-inspection.js';
export { OAuthEngine } from './engine.js';
export type { EngineContext } from './engine-context.js';
export { toToolError } from './error-mapping.js';
export { clientMetadataDocument } from './provider/client-id-metadata.js';
export type { DiscoveryRequest } from './provider/discovery.js';
export { discover } from './provider/discovery.js';
export { ProviderRegistry, type ProviderSummary } from './provider/registry.js';
export type { DeleteClientResult } from './registration/client-management.js';
export { deleteClient, readClient, updateClient } from './registration/client-management.js';
export type { RegistrationRequest } from './registration/registration.js';
export { registerClient } from './registration/registration.js';
export type { SessionPage, SessionPageRequest } from './sessions/session-pages.js';
export { listSessionPage } from './sessions/session-pages.js';
export { findSession, listSessions, toSessionView } from './sessions/sessions.js';
export { completeAuthorizationCallback } from './sign-in/authorization-code.js';
export { canOpenBrowser } from './sign-in/browser.js';
export type { CallbackPage } from './sign-in/pages.js';
export { completePastedCallback } from './sign-in/pasted-callback.js';
export type {
  SignInKind,
  SignInRequest,
  SignInResult,
  SignInStatus,
  WaitHooks,
} from './sign-in/sign-in.js';
export { abandonSignIn, continueSignIn, linkReachesUser, startSignIn } from './sign-in/sign-in.js';
export { handleStartPage } from './sign-in/start-page.js';
export { userFacingUrl } from './sign-in/user-facing-url.js';
export {
  AccessTokenRefused,
  AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
} from './tokens/access-token.js';
export type { ClientCredentialsRequest, ClientCredentialsResult } from './tokens/client-credentials.js';
export { clientCredentials, grantClientCredentials } from './tokens/client-credentials.js';
export type { DelegationClaims } from './tokens/delegation-claims.js';
export type { IntrospectionRequest, IntrospectionResult } from './tokens/introspection.js';
export { introspect } from './tokens/introspection.js';
export { JWT_BEARER_GRANT } from './tokens/on-behalf-of.js';
export type { RefreshReport, RefreshRequest } from './tokens/refresh.js';
export { ensureFreshSession, refreshToken } from './tokens/refresh.js';
export type { RevocationRequest, RevocationResult } from './tokens/revocation.js';
export { revoke } from './tokens/revocation.js';
export type {
  ExchangeSubject,
  TokenExchangeReport,
  TokenExchangeRequest,
  TokenTypeName,
} from './tokens/token-exchange.js';
export { exchangeToken, TOKEN_EXCHANGE_GRANT, TOKEN_TYPES } from './tokens/token-exchange.js';
