import { describe, expect, it } from 'vitest';
import { neutraliseFormula, toCsv } from './csv.ts';

describe('CSV export', () => {
  it('quotes every cell and doubles quotes inside', () => {
    expect(toCsv(['a', 'b'], [['x', 3], ['say "hi"', null]])).toBe('"a","b"\r\n"x","3"\r\n"say ""hi""",""\r\n');
  });

  it('neutralises a formula at the start of a cell or behind any separator a spreadsheet may split on', () => {
    expect(neutraliseFormula('=1+1')).toBe("'=1+1");
    expect(neutraliseFormula("ok;=cmd|' /C calc'!A0")).toBe("ok;'=cmd|' /C calc'!A0");
    expect(neutraliseFormula('a,@b|+c\t-d')).toBe("a,'@b|'+c\t'-d");
    expect(neutraliseFormula('plain text - with a dash')).toBe('plain text - with a dash');
  });
});
