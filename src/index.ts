// The library entry (package "oauth-mcp-server"): the OAuth engine without MCP. Build it with
// createEngine({ config, store }); every operation is a function of `engine.ctx`.

export type { ApiCallRequest, ApiCallResult } from './auth/api/call.js';
export type { UserInfoRequest, UserInfoResult } from './auth/api/userinfo.js';
export type { JwksReport } from './auth/diagnostics/jwks-report.js';
export type { ServerAudit } from './auth/diagnostics/server-audit.js';
export type { InspectionRequest, TokenInspection } from './auth/diagnostics/token-inspection.js';
export type { OAuthEngine } from './auth/engine.js';
export type { EngineContext } from './auth/engine-context.js';
export {
  abandonSignIn,
  auditServer,
  callApi,
  clientCredentials,
  continueSignIn,
  deleteClient,
  discover,
  inspectToken,
  introspect,
  jwksReport,
  listSessionPage,
  listSessions,
  OAuthToolError,
  readClient,
  refreshSession,
  registerClient,
  revoke,
  startSignIn,
  updateClient,
  userInfo,
} from './auth/index.js';
export type { DiscoveryRequest } from './auth/provider/discovery.js';
export type { DeleteClientResult } from './auth/registration/client-management.js';
export type { RegistrationRequest } from './auth/registration/registration.js';
export type { SessionPage, SessionPageRequest } from './auth/sessions/session-pages.js';
export type { SessionView } from './auth/sessions/sessions.js';
export type { SignInRequest, SignInResult, SignInStatus } from './auth/sign-in/sign-in.js';
export type { ClientCredentialsRequest, ClientCredentialsResult } from './auth/tokens/client-credentials.js';
export type { IntrospectionRequest, IntrospectionResult } from './auth/tokens/introspection.js';
export type { RefreshRequest, RefreshResult } from './auth/tokens/refresh.js';
export type { RevocationRequest, RevocationResult } from './auth/tokens/revocation.js';
export {
  type Config,
  type LoadConfigOptions,
  loadConfig,
  type ProviderConfig,
  parseConfig,
} from './config/index.js';
export type { ConfigFlags } from './config/overlays.js';
export { type CreateEngineOptions, createEngine } from './create-engine.js';
export { createLogger, type Logger } from './log.js';
export { type OpenStoreOptions, openStore } from './store/index.js';
export { MemoryStore } from './store/memory-store.js';
export type { TokenStore } from './store/token-store.js';
