// Old key names of the config file, read under their new names with a warning.

/**
 * Keys renamed because two unrelated settings shared a name (`api.allowedOrigins`, API origins for tokens,
 * keeps its name); the old name is still read, with a warning.
 */
const RENAMED_KEYS = [{ section: 'http', from: 'allowedOrigins', to: 'allowedBrowserOrigins' }] as const;

/**
 * Moves renamed keys of the raw file content to their new names, one warning per old key found. When
 * both names are given the old one stays, and the strict schema rejects it.
 */
export function renameDeprecatedKeys(raw: unknown, warn: (message: string) => void): void {
  if (!isObject(raw)) return;
  for (const { section, from, to } of RENAMED_KEYS) {
    const part = raw[section];
    if (!isObject(part) || !Object.hasOwn(part, from)) continue;
    warn(`config "${section}.${from}" is deprecated: rename it to "${section}.${to}" (same meaning).`);
    if (Object.hasOwn(part, to)) continue;
    raw[section] = Object.fromEntries(
      Object.entries(part).map(([key, value]) => [key === from ? to : key, value]),
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
