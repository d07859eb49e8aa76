// The vocabulary of the server audit: check statuses and the constructors every audit rule uses.

type AuditStatus = 'pass' | 'warn' | 'fail' | 'info';

export interface AuditCheck {
  id: string;
  status: AuditStatus;
  /** The specification behind the check, e.g. "RFC 7636". */
  reference: string;
  message: string;
  /** What to change on the server; present on warn and fail. */
  fix?: string;
}

export interface AuditSection {
  id: string;
  title: string;
  checks: AuditCheck[];
}

/** What the audit learned from the JWKS: its warnings, or why it did not answer. */
export interface JwksFindings {
  keyCount?: number;
  warnings: string[];
  error?: string;
}

export const has = (list: unknown, value: string) => Array.isArray(list) && list.includes(value);

export function section(id: string, title: string, checks: AuditCheck[]): AuditSection {
  return { id, title, checks };
}

export function pass(id: string, reference: string, message: string): AuditCheck {
  return { id, status: 'pass', reference, message };
}

/** Takes (and drops) a fix so that a rule can choose `(cond ? info : warn)(...)` with one argument list. */
export function info(id: string, reference: string, message: string, _fix?: string): AuditCheck {
  return { id, status: 'info', reference, message };
}

export function warn(id: string, reference: string, message: string, fix: string): AuditCheck {
  return { id, status: 'warn', reference, message, fix };
}

export function fail(id: string, reference: string, message: string, fix: string): AuditCheck {
  return { id, status: 'fail', reference, message, fix };
}
