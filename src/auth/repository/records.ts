// The typed records kept in a TokenStore, validated with zod on every read; `v` lets a later
// version migrate a record instead of losing it.

import { z } from 'zod';
import { providerSchema } from '../../config/index.js';

export const STORE_SCHEMA_VERSION = 1;

const GRANTS = [
  'authorization_code',
  'device_code',
  'client_credentials',
  'token_exchange',
  'jwt_bearer',
] as const;
export type Grant = (typeof GRANTS)[number];

/** A session's DPoP key pair (RFC 9449), as a private JWK: it stays in the store and is never shown. */
export const dpopKeySchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  d: z.string(),
});
export type DPoPKey = z.infer<typeof dpopKeySchema>;

export const storedSessionSchema = z.object({
  v: z.literal(STORE_SCHEMA_VERSION),
  session_id: z.string(),
  provider: z.string(),
  issuer: z.string(),
  client_id: z.string(),
  grant: z.enum(GRANTS),
  subject: z.string().optional(),
  scope: z.string(),
  /** The scope asked for, when it differs from what the AS granted (client-credentials reuse matches on it). */
  requested_scope: z.string().optional(),
  resource: z.string().optional(),
  token_type: z.string(),
  /** Absolute expiry (ISO 8601); never a relative expires_in. Absent when the AS gave no expiry. */
  expires_at: z.string().optional(),
  access_token: z.string(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  id_token_claims: z.record(z.string(), z.unknown()).optional(),
  /** The key the access (and refresh) token is bound to, for DPoP sessions. */
  dpop_key: dpopKeySchema.optional(),
  /** User sign-ins: the subject the AS signed in (ID token `sub`) and when; HTTP mode checks it is the requester. */
  completed_by: z.string().optional(),
  completed_at: z.string().optional(),
  /** Token exchange (RFC 8693): what the server says it issued (a token type URN). */
  issued_token_type: z.string().optional(),
  /** Token exchange: the session whose token was exchanged, or `caller` (HTTP mode: the caller's inbound token). */
  exchanged_from: z.string().optional(),
  /** Set when the AS rejected the refresh token: the user must sign in again. */
  needs_reauth: z.boolean().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;

export const clientProfileSchema = z.object({
  v: z.literal(STORE_SCHEMA_VERSION),
  name: z.string(),
  settings: providerSchema,
  /** RFC 7592 management credentials and the AS's full registration response. */
  registration_access_token: z.string().optional(),
  registration_client_uri: z.string().optional(),
  client_metadata: z.record(z.string(), z.unknown()).optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ClientProfile = z.infer<typeof clientProfileSchema>;

/** A sign-in in progress; its shape belongs to the flow that created it (`kind`). */
export const pendingFlowSchema = z.object({
  v: z.literal(STORE_SCHEMA_VERSION),
  flow_id: z.string(),
  kind: z.string(),
  provider: z.string(),
  /** The server and client the flow was started with; it is finished only with them. */
  issuer: z.string().optional(),
  client_id: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type PendingFlow = z.infer<typeof pendingFlowSchema>;
