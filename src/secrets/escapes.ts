// A text with its escapes undone (JSON/JS `\/` `\uXXXX` `\xHH`, percent-encoding, HTML numeric
// entities), mapped back to the original positions, so an echoed secret is found whatever its spelling.

interface UnescapedView {
  text: string;
  /** For each char of `text`: where its spelling starts and ends in the original. */
  start: Int32Array;
  end: Int32Array;
}

const HEX = /^[0-9A-Fa-f]+$/;
const CONTROL = { n: '\n', r: '\r', t: '\t' } as const;

/** Undefined when the text has nothing to undo (the common case: no backslash, `%` or `&#`). */
export function unescapedView(original: string): UnescapedView | undefined {
  if (!/[\\%]|&#/.test(original)) return undefined;
  const chars: string[] = [];
  const start = new Int32Array(original.length);
  const end = new Int32Array(original.length);
  let i = 0;
  while (i < original.length) {
    const [char, length] = escapeAt(original, i);
    start[chars.length] = i;
    end[chars.length] = i + length;
    chars.push(char);
    i += length;
  }
  return { text: chars.join(''), start: start.subarray(0, chars.length), end: end.subarray(0, chars.length) };
}

/** The character spelled at `i` and the length of its spelling (1 when it is not an escape). */
function escapeAt(text: string, i: number): [string, number] {
  const c = text[i] as string;
  if (c === '\\') {
    // Any number of backslashes: text escaped twice (a JSON string inside a JSON string) counts too.
    let j = i;
    while (text[j] === '\\') j++;
    const next = text[j];
    if (next === '/' || next === '"') return [next, j + 1 - i];
    if (next === 'n' || next === 'r' || next === 't') return [CONTROL[next], j + 1 - i];
    if (next === 'u') return hexEscape(text, j + 1, 4, j + 5 - i) ?? [c, 1];
    if (next === 'x') return hexEscape(text, j + 1, 2, j + 3 - i) ?? [c, 1];
    return [c, 1];
  }
  if (c === '%') {
    const once = hexEscape(text, i + 1, 2, 3);
    // %252F is %2F escaped again
    if (once?.[0] === '%') return hexEscape(text, i + 3, 2, 5) ?? once;
    return once ?? [c, 1];
  }
  if (c === '&' && text[i + 1] === '#') {
    const entity = /^&#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?/.exec(text.slice(i, i + 12));
    const code = entity ? Number.parseInt(entity[1] ?? entity[2] ?? '', entity[1] ? 16 : 10) : Number.NaN;
    if (entity && code <= 0xffff) return [String.fromCharCode(code), entity[0].length];
  }
  return [c, 1];
}

function hexEscape(text: string, at: number, digits: number, length: number): [string, number] | undefined {
  const hex = text.slice(at, at + digits);
  if (hex.length !== digits || !HEX.test(hex)) return undefined;
  return [String.fromCharCode(Number.parseInt(hex, 16)), length];
}
