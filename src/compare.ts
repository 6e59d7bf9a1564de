/** Code-point order for strings: the same on every machine and locale, so Reports are byte-stable. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
