// How values become keychain items: within the platform's item limit (UTF-16 on Windows), checksummed chunks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkItemLimit,
  defaultItemLimit,
  encodeValue,
  type ItemLimit,
  joinChunks,
  parseHead,
} from '../../src/store/chunking.js';

const WINDOWS: ItemLimit = defaultItemLimit('win32');
const SMALL: ItemLimit = { maxBytes: 300, encoding: 'utf8' };

describe('chunking', () => {
  it('keeps a value that fits in one item as the head itself', () => {
    const { head, chunks } = encodeValue('{"v":1}', WINDOWS, 1_700_000_000_000);
    expect(head).toEqual({ f: 1, exp: 1_700_000_000_000, value: '{"v":1}' });
    expect(chunks).toEqual([]);
  });

  it('splits a token set over 2,560 UTF-16 bytes for Windows Credential Manager, every item within the limit', () => {
    const value = JSON.stringify({ access_token: `eyJ${'a'.repeat(4_000)}`, refresh_token: 'r'.repeat(500) });
    const { head, chunks } = encodeValue(value, WINDOWS);
    expect(chunks.length).toBe(Math.ceil(value.length / 1_280));
    for (const item of [...chunks, JSON.stringify(head)]) {
      expect(Buffer.byteLength(item, 'utf16le')).toBeLessThanOrEqual(2_560);
    }
    expect(joinChunks(head, chunks)).toBe(value);
  });

  it('never splits a surrogate pair or a UTF-8 sequence, and round-trips any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.constantFrom(SMALL, WINDOWS),
        (value, limit) => {
          const { head, chunks } = encodeValue(value, limit);
          for (const chunk of chunks) {
            expect(Buffer.byteLength(chunk, limit.encoding)).toBeLessThanOrEqual(limit.maxBytes);
            expect(Buffer.from(chunk, 'utf8').toString('utf8')).toBe(chunk); // no lone surrogate
          }
          const decoded = 'value' in head ? head.value : joinChunks(head, chunks);
          expect(decoded).toBe(value);
          expect(parseHead(JSON.stringify(head))).toEqual(head);
        },
      ),
    );
  });

  it('refuses chunks that are missing, reordered or altered', () => {
    const value = Array.from({ length: 400 }, (_, i) => i.toString(36)).join('');
    const { head, chunks } = encodeValue(value, SMALL);
    expect(chunks.length).toBeGreaterThan(2);
    expect(joinChunks(head, chunks)).toBe(value);
    expect(joinChunks(head, chunks.slice(1))).toBeUndefined();
    expect(joinChunks(head, [chunks[0] as string, null, ...chunks.slice(2)])).toBeUndefined();
    expect(joinChunks(head, [...chunks].reverse())).toBeUndefined();
    expect(
      joinChunks(
        head,
        chunks.map((c, i) => (i === 1 ? c.replace('a', 'b') : c)),
      ),
    ).toBeUndefined();
  });

  it('does not take an item it did not write for a head', () => {
    for (const text of [
      'plain',
      '{}',
      '{"f":2,"value":"x"}',
      '{"f":1}',
      '{"f":1,"chunks":2,"gen":"../x","length":1,"sha256":"0"}',
    ]) {
      expect(parseHead(text)).toBeUndefined();
    }
  });

  it('refuses an item limit too small to hold a head', () => {
    expect(() => checkItemLimit({ maxBytes: 100, encoding: 'utf8' })).toThrow(RangeError);
    expect(() => checkItemLimit(WINDOWS)).not.toThrow();
  });
});
