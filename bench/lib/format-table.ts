/** Renders rows as a Markdown table with aligned columns (numbers right-aligned). */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const numeric = header.map((_, column) => rows.every((row) => /^[\d.,x\- ]+$/.test(row[column] ?? '')))
  const cell = (text: string, column: number): string =>
    numeric[column] ? text.padStart(widths[column]!) : text.padEnd(widths[column]!)
  const line = (cells: readonly string[]): string => `| ${cells.map((text, column) => cell(text, column)).join(' | ')} |`
  const rule = `|${widths.map((width, column) => (numeric[column] ? '-'.repeat(width + 1) + ':' : '-'.repeat(width + 2))).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}
