// The library entry (package "oauth-mcp-server"): the OAuth engine without MCP. Build it with
// createEngine({ config, store }); every operation is a function of `engine.ctx`.

export type { ApiCallRequest, ApiCallResult } from './auth/api-call.js';
export type { ClientCredentialsRequest, ClientCredentialsResult } from './auth/client-credentials.js';
export type { DeleteClientResult } from './auth/client-management.js';
export type { DiscoveryRequest } from './auth/discovery.js';
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
export type { IntrospectionRequest, IntrospectionResult } from './auth/introspection.js';
export type { JwksReport } from './auth/jwks-report.js';
export type { RefreshRequest, RefreshResult } from './auth/refresh.js';
export type { RegistrationRequest } from './auth/registration.js';
export type { RevocationRequest, RevocationResult } from './auth/revocation.js';
export type { ServerAudit } from './auth/server-audit.js';
export type { SessionPage, SessionPageRequest } from './auth/session-pages.js';
export type { SessionView } from './auth/sessions.js';
export type { SignInRequest, SignInResult, SignInStatus } from './auth/sign-in.js';
export type { InspectionRequest, TokenInspection } from './auth/token-inspection.js';
export type { UserInfoRequest, UserInfoResult } from './auth/userinfo.js';
export type { ConfigFlags } from './config/overlays.js';
export {
  type Config,
  type LoadConfigOptions,
  loadConfig,
  type ProviderConfig,
  parseConfig,
} from './config.js';
export { type CreateEngineOptions, createEngine } from './create-engine.js';
export { createLogger, type Logger } from './log.js';
export { type OpenStoreOptions, openStore } from './store/index.js';
export { MemoryStore } from './store/memory-store.js';
export type { TokenStore } from './store/token-store.js';
