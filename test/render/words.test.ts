import { describe, expect, it } from 'vitest';
import { formatKeys, humanDuration, percent, plural } from '../../cli/render/words.js';

describe('words', () => {
  it.each([
    [0.2, 'under a second'],
    [1, 'about 1 second'],
    [45, 'about 45 seconds'],
    [240, 'about 4 minutes'],
    [75 * 60, 'about 75 minutes'],
    [3 * 3600, 'about 3 hours'],
    [3 * 86_400, 'about 3 days'],
  ])('humanDuration(%d) is %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  it('pluralises with thousands separators', () => {
    expect(plural(1, 'gate')).toBe('1 gate');
    expect(plural(2, 'gate')).toBe('2 gates');
    expect(plural(1200, 'row')).toBe('1,200 rows');
  });

  it('never rounds a non-zero share to 0%', () => {
    expect(percent(0)).toBe('0%');
    expect(percent(0.000001)).toBe('<0.01%');
    expect(percent(0.003)).toBe('0.3%');
    expect(percent(0.25)).toBe('25%');
  });

  it('writes single and composite keys', () => {
    expect(formatKeys([[1], [2]])).toBe('1, 2');
    expect(formatKeys([[1, 'a']])).toBe('(1, "a")');
  });
});
