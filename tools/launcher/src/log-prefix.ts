// Distinct ANSI colours, one per process, in plan order.
const COLOURS = [36, 33, 35, 32, 34, 31]

/**
 * The prefix of one process's lines: the name padded to `width`, then ` | `, coloured when
 * `colour` is true (stdout is a terminal) so the processes are told apart at a glance.
 */
export function formatPrefix(name: string, width: number, index: number, colour: boolean): string {
  const text = `${name.padEnd(width)} | `
  if (!colour) {
    return text
  }
  const code = COLOURS[index % COLOURS.length]!
  return `\u001b[${code}m${text}\u001b[0m`
}

/**
 * Returns a function that writes each complete line of a child's output (without its newline)
 * with `prefix`. `format` turns the line into the text shown (pino-pretty on a terminal); when that
 * text spans several lines (an error's stack), each gets the prefix. By default a line is shown as
 * it came.
 */
export function createLinePrefixer(prefix: string, write: (line: string) => void, format: (line: string) => string = (line) => line): (line: string) => void {
  return (line) => {
    for (const shown of format(line).split('\n')) {
      write(`${prefix}${shown}\n`)
    }
  }
}
