// Starts a real oidc-provider (the demo authorization server) for a test file and stops it afterwards.
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type AuthorizationServerOptions,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '../../src/demo/authorization-server.js';

export interface AuthorizationServerHandle {
  /** The running server; throws if called before `beforeAll` ran. */
  (): RunningAuthorizationServer;
  readonly issuer: string;
}

/**
 * `const as = useAuthorizationServer()` at the top of a `describe` (or file); then `as()` or
 * `as.issuer` inside tests. Faults are cleared after each test. Device flow polling defaults to
 * 1 s here (the server sends `interval: 1`) so device-flow tests stay fast.
 */
export function useAuthorizationServer(options: AuthorizationServerOptions = {}): AuthorizationServerHandle {
  let server: RunningAuthorizationServer | undefined;
  const get = () => {
    if (!server) throw new Error('the authorization server is not running (use it inside tests or hooks)');
    return server;
  };
  beforeAll(async () => {
    server = await startAuthorizationServer({ devicePollInterval: 1, ...options });
  });
  afterEach(() => server?.clearFaults());
  afterAll(async () => {
    await server?.close();
    server = undefined;
  });
  return Object.defineProperty(get, 'issuer', { get: () => get().issuer }) as AuthorizationServerHandle;
}
