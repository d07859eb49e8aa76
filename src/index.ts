// The library entry (package "oauth-mcp-server"): the OAuth engine without MCP. Build it with
// createEngine({ config, store }); every operation is a function of `engine.ctx`.

export type { OAuthEngine } from './auth/engine.js';
export { type CreateEngineOptions, createEngine } from './auth/engine.js';
export type {
  ApiCallRequest,
  ApiCallResult,
  ClientCredentialsRequest,
  ClientCredentialsResult,
  DeleteClientResult,
  DiscoveryRequest,
  EngineContext,
  InspectionRequest,
  IntrospectionRequest,
  IntrospectionResult,
  JwksReport,
  RefreshReport,
  RefreshRequest,
  RegistrationRequest,
  RevocationRequest,
  RevocationResult,
  ServerAudit,
  SessionPage,
  SessionPageRequest,
  SignInRequest,
  SignInResult,
  SignInStatus,
  TokenExchangeReport,
  TokenExchangeRequest,
  TokenInspection,
  UserInfoRequest,
  UserInfoResult,
} from './auth/index.js';
export {
  abandonSignIn,
  auditServer,
  callApi,
  clientCredentials,
  continueSignIn,
  deleteClient,
  discover,
  exchangeToken,
  inspectToken,
  introspect,
  jwksReport,
  listSessionPage,
  listSessions,
  OAuthToolError,
  readClient,
  refreshToken,
  registerClient,
  revoke,
  startSignIn,
  updateClient,
  userInfo,
} from './auth/index.js';
export type { ClientView, SessionView } from './auth/views.js';
export {
  type Config,
  type LoadConfigOptions,
  loadConfig,
  type ProviderConfig,
  parseConfig,
} from './config/index.js';
export type { ConfigFlags } from './config/settings.js';
export { createLogger, type Logger } from './log.js';
export { type OpenStoreOptions, openStore } from './store/index.js';
export { MemoryStore } from './store/memory-store.js';
export type { TokenStore } from './store/token-store.js';
