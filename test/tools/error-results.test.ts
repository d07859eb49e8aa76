// Tool errors as a client sees them: isError, the structured error, a text that says what to do,
// and never a credential, even when the authorization server echoes one back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

const as = useAuthorizationServer();
const ECHOED_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('tool error results', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    const { confidential } = as().clients;
    server = await startInProcess({
      providers: {
        demo: { issuer: as.issuer, clientId: confidential.clientId, clientSecret: confidential.clientSecret },
      },
    });
  });
  afterAll(() => server.close());

  it("keep the AS's error and description, with any credential it echoed redacted", async () => {
    as().failNext('POST /token', {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        error: 'invalid_request',
        error_description: `token ${ECHOED_JWT} is malformed`,
      }),
    });
    const result = await server.call('oauth_client_credentials', { force_new: true });
    const error = toolError(result);
    expect(error).toMatchObject({ code: 'oauth_error', oauth_error: 'invalid_request' });
    expect(JSON.stringify(result)).not.toContain(ECHOED_JWT);
    expect((error as { oauth_error_description?: string }).oauth_error_description).toContain(
      '[redacted-jwt]',
    );
  });
});
