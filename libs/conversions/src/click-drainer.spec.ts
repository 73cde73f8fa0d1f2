import type { ClickTuple } from './click-recorder.service';
import { firstPerVisitor, wellFormedClick } from './click-drainer.service';

const HASH = 'a'.repeat(64);
const DEVICE = '0123456789abcdef'.repeat(4);
const AT = 1_795_000_000_000;

describe('wellFormedClick (what the drainer accepts from the stream)', () => {
  it('keeps a click as the API sends it, with or without a device', () => {
    expect(wellFormedClick(['Ab3dE5gH9k', HASH, AT, DEVICE])).toEqual(['Ab3dE5gH9k', HASH, AT, DEVICE]);
    expect(wellFormedClick(['Ab3dE5gH9k', HASH, AT, null])).toEqual(['Ab3dE5gH9k', HASH, AT, null]);
    expect(wellFormedClick(['Ab3dE5gH9k', HASH, AT])).toEqual(['Ab3dE5gH9k', HASH, AT, null]);
    expect(wellFormedClick(['12345678', HASH, 1_000_000_000, null])).not.toBeNull();
    expect(wellFormedClick(['1234567890123456', HASH, 999_999_999_999_999, null])).not.toBeNull();
  });

  it('keeps the click but not a device hash that is not 64 lower-case hex characters', () => {
    for (const device of ['A'.repeat(64), 'a'.repeat(63), 42, {}, 'not-a-hash'])
      expect(wellFormedClick(['Ab3dE5gH9k', HASH, AT, device])).toEqual(['Ab3dE5gH9k', HASH, AT, null]);
  });

  it('drops anything else: not a tuple, a bad code, a bad address hash, a time that is not epoch ms', () => {
    const bad: unknown[] = [
      null,
      'Ab3dE5gH9k',
      { 0: 'Ab3dE5gH9k', 1: HASH, 2: AT },
      ['short', HASH, AT, null],
      ['seventeen-chars-x', HASH, AT, null],
      ['Ab3dE5gH9!', HASH, AT, null],
      [12345678, HASH, AT, null],
      ['Ab3dE5gH9k', HASH.toUpperCase(), AT, null],
      ['Ab3dE5gH9k', HASH.slice(1), AT, null],
      ['Ab3dE5gH9k', null, AT, null],
      ['Ab3dE5gH9k', HASH, String(AT), null],
      ['Ab3dE5gH9k', HASH, AT + 0.5, null],
      ['Ab3dE5gH9k', HASH, 999_999_999, null],
      ['Ab3dE5gH9k', HASH, 1e15, null],
      ['Ab3dE5gH9k', HASH, -AT, null],
    ];
    for (const x of bad) expect(wellFormedClick(x)).toBeNull();
  });
});

describe('firstPerVisitor (a batch counts a code and address once)', () => {
  const OTHER = 'b'.repeat(64);
  it('keeps the earliest click per code and address hash, in the order they came', () => {
    const clicks: ClickTuple[] = [
      ['Ab3dE5gH9k', HASH, AT + 5, null],
      ['Ab3dE5gH9k', OTHER, AT + 1, DEVICE],
      ['Zz3dE5gH9k', HASH, AT + 9, null],
      ['Ab3dE5gH9k', HASH, AT + 2, DEVICE], // earlier than the first: replaces it in its place
      ['Ab3dE5gH9k', HASH, AT + 3, null],
      ['Ab3dE5gH9k', OTHER, AT + 1, null], // same instant: the first read stays
    ];
    expect(firstPerVisitor(clicks)).toEqual([
      ['Ab3dE5gH9k', HASH, AT + 2, DEVICE],
      ['Ab3dE5gH9k', OTHER, AT + 1, DEVICE],
      ['Zz3dE5gH9k', HASH, AT + 9, null],
    ]);
  });

  it('keeps a batch of distinct visitors whole', () => {
    const clicks: ClickTuple[] = Array.from({ length: 100 }, (_, i) => [
      i % 2 ? 'Ab3dE5gH9k' : 'Zz3dE5gH9k',
      i.toString(16).padStart(64, '0'),
      AT + i,
      null,
    ]);
    expect(firstPerVisitor(clicks)).toEqual(clicks);
    expect(firstPerVisitor([])).toEqual([]);
  });
});
