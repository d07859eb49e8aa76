// oauth_audit_server's engine: reads an authorization server's metadata, GETs its JWKS (the one probe:
// a documented public endpoint, no credentials), judges both (audit-checks.ts) and scores each section.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { type DiscoveryRequest, discover } from '../provider/discovery.js';
import type { MetadataSource } from '../provider/server-metadata.js';
import { type AuditCheck, type AuditSection, auditSections, type JwksFindings } from './audit-checks.js';
import { describeKeySet, loadJwks } from './jwks-report.js';

interface ScoredSection extends AuditSection {
  /** 0-100: a pass counts 1, a warning 1/2, a failure 0; info checks are not scored (no score when all are info). */
  score?: number;
}

/** A scored review of a server's metadata and keys, section by section, with the fixes that matter most. */
export interface ServerAudit {
  issuer: string;
  provider?: string;
  /** Which well-known document answered. */
  source: MetadataSource;
  /** The mean of the section scores. */
  score: number;
  sections: ScoredSection[];
  /** The changes that matter most, failures first. */
  fixes: string[];
  /** The only requests made: the metadata document and the JWKS. */
  probes: string[];
}

const MAX_FIXES = 8;

/**
 * Audits a server against current OAuth security practice; reads only its metadata and JWKS.
 *
 * @example
 * const audit = await auditServer(engine.ctx, { provider: 'work' });
 * for (const section of audit.sections) console.log(section.title, section.score);
 * @see https://www.rfc-editor.org/rfc/rfc9700 (OAuth 2.0 Security Best Current Practice)
 */
export async function auditServer(ctx: EngineContext, request: DiscoveryRequest): Promise<ServerAudit> {
  const found = await discover(ctx, request);
  const probes = [`GET ${found.issuer} (${found.source} metadata)`];
  const jwks: JwksFindings = { warnings: [] };
  if (found.metadata.jwks_uri) {
    probes.push(`GET ${found.metadata.jwks_uri}`);
    try {
      const loaded = await loadJwks(found.metadata.jwks_uri, ctx.timeoutMs, ctx.registry.fetch);
      const described = await describeKeySet(loaded.jwks);
      jwks.keyCount = described.keys.length;
      jwks.warnings = [...described.warnings, ...described.keys.flatMap((key) => key.warnings)];
    } catch (error) {
      jwks.error = error instanceof OAuthToolError ? error.message : 'the request failed';
    }
  }
  const sections: ScoredSection[] = auditSections(found.metadata, jwks).map((s) => {
    const points = score(s.checks);
    return points === undefined ? s : { ...s, score: points };
  });
  const scores = sections.flatMap((s) => (s.score === undefined ? [] : [s.score]));
  return {
    issuer: found.issuer,
    ...(found.provider ? { provider: found.provider } : {}),
    source: found.source,
    score: Math.round(scores.reduce((sum, points) => sum + points, 0) / Math.max(1, scores.length)),
    sections,
    fixes: fixes(sections.flatMap((s) => s.checks)),
    probes,
  };
}

function score(checks: AuditCheck[]): number | undefined {
  const scored = checks.filter((c) => c.status !== 'info');
  if (scored.length === 0) return undefined;
  const points = scored.reduce(
    (sum, c) => sum + (c.status === 'pass' ? 1 : c.status === 'warn' ? 0.5 : 0),
    0,
  );
  return Math.round((100 * points) / scored.length);
}

function fixes(checks: AuditCheck[]): string[] {
  const ordered = [
    ...checks.filter((c) => c.status === 'fail'),
    ...checks.filter((c) => c.status === 'warn'),
  ];
  const unique = [...new Set(ordered.map((c) => `${c.fix} (${c.reference})`))];
  return unique.slice(0, MAX_FIXES);
}
