// Instants relative to now in words ("3 minutes ago", "in 2 hours"): what a person asks about an expiry.

const UNITS: [string, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** The span between `at` and `now` (both ms since epoch) as "in N units" or "N units ago", rounded down. */
export function timeInWords(at: number, now = Date.now()): string {
  const seconds = Math.floor(Math.abs(at - now) / 1000);
  if (seconds === 0) return 'just now';
  const [unit, size] = UNITS.find(([, size]) => seconds >= size) ?? ['second', 1];
  const count = Math.floor(seconds / size);
  const span = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return at < now ? `${span} ago` : `in ${span}`;
}
