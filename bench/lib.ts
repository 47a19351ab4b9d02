/** Small helpers shared by the bench scripts: timing and printing. */
export async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function report(rows: Record<string, string | number>): void {
  for (const [key, value] of Object.entries(rows)) {
    console.log(`${key.padEnd(44)} ${typeof value === 'number' ? value.toFixed(value < 10 ? 2 : 0) : value}`);
  }
}
