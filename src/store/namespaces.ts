// Principal namespaces of store keys (`u:<hash>:`, see vault.ts): what the backends index keys by, so that
// listing one user's keys costs that user's keys and not everyone's.

/** `u:<hash>:` for a principal's key, '' for every other key. */
export function namespaceOf(key: string): string {
  const end = key.startsWith('u:') ? key.indexOf(':', 2) : -1;
  return end < 0 ? '' : key.slice(0, end + 1);
}

/** The one namespace of every key that starts with `prefix`; undefined when it may span several (`u:a`). */
export function namespaceOfPrefix(prefix: string): string | undefined {
  if ('u:'.startsWith(prefix) || (prefix.startsWith('u:') && prefix.indexOf(':', 2) < 0)) return undefined;
  return namespaceOf(prefix);
}
