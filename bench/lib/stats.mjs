// Statistics and reporting for the benchmarks: medians, percentiles, same-run ratios, a table.

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Runs every variant once per round, in a rotating order so neither side always goes first. */
export async function interleave(rounds, variants) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const names = Object.keys(variants);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      samples[name].push(await variants[name]());
    }
  }
  return samples;
}

/** Time of an async function in milliseconds (high resolution). */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

/**
 * One result row: `value` with its `unit`, optionally a same-run `ratio` checked against `target`
 * (`<=` or `>=`), and free-form `detail`.
 */
export function row({ bench, metric, value, unit = '', ratio, target, detail }) {
  let pass;
  if (ratio !== undefined && target) {
    const [op, limit] = target;
    pass = op === '<=' ? ratio <= limit : ratio >= limit;
  }
  return {
    bench,
    metric,
    value: round(value),
    unit,
    ...(ratio === undefined ? {} : { ratio: round(ratio, 3) }),
    ...(target ? { target: `${target[0]} ${target[1]}` } : {}),
    ...(pass === undefined ? {} : { pass }),
    ...(detail ? { detail } : {}),
  };
}

export function printTable(rows) {
  const columns = ['bench', 'metric', 'value', 'unit', 'ratio', 'target', 'pass', 'detail'];
  const cells = rows.map((r) =>
    columns.map((c) => (r[c] === undefined ? '' : c === 'pass' ? (r[c] ? 'yes' : 'NO') : String(r[c]))),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((line) => line[i].length)));
  const line = (values) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const values of cells) process.stdout.write(`${line(values)}\n`);
}
