import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, participantsTemplate, toCsv } from './csv.ts';

describe('CSV', () => {
  it('quotes only the fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Hopper, Grace')).toBe('"Hopper, Grace"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(undefined)).toBe('');
    expect(toCsv([['a', 1], ['b', null]])).toBe('a,1\r\nb,\r\n');
  });

  it('offers a template whose header is exactly the import columns', () => {
    const [header, ...rows] = participantsTemplate().trim().split('\r\n');
    expect(header).toBe(CSV_COLUMNS.join(','));
    expect(rows.map((row) => row.split(',')[0])).toEqual(['mentor', 'mentee']);
  });
});
