/**
 * A character that makes a spreadsheet read a cell as a formula when it comes first: at the start of
 * the cell, or right after any character some spreadsheet splits cells on (a comma, a semicolon, a
 * tab, a pipe, a line break), since the file may be opened with another separator than ours.
 */
const FORMULA_START = /(^|[,;\t|\r\n])([\s"']*)(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/** One cell's text with every possible formula start neutralised by a leading apostrophe. */
export function neutraliseFormula(text: string): string {
  return text.replace(FORMULA_START, "$1$2'");
}

/**
 * RFC 4180 CSV in which every cell is quoted, and any text a spreadsheet could read as a formula,
 * whatever separator it splits on, is neutralised. Numbers are written as numbers.
 */
export function toCsv(header: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const cell = (value: string | number | boolean | null | undefined): string => {
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? neutraliseFormula(value) : String(value);
    return `"${text.replace(/"/g, '""')}"`;
  };
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
