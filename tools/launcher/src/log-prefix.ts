import { StringDecoder } from 'node:string_decoder'

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

/** Splits a byte stream into lines and writes each, prefixed. */
export interface LinePrefixer {
  /** Feeds a chunk; complete lines are written at once, a trailing partial line is kept. */
  push(chunk: Buffer | string): void
  /** Writes what is left of a last line with no newline (call when the stream ends). */
  flush(): void
}

/**
 * Creates a {@link LinePrefixer}. A chunk from a pipe can end in the middle of a line, or in the
 * middle of a multi-byte character, so both are carried over to the next chunk rather than being
 * written with a prefix of their own.
 *
 * `format` turns each complete line into the text shown (pino-pretty on a terminal); when that
 * text spans several lines (an error's stack), each gets the prefix. By default a line is shown as
 * it came.
 */
export function createLinePrefixer(prefix: string, write: (line: string) => void, format: (line: string) => string = (line) => line): LinePrefixer {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  const writeLine = (line: string): void => {
    for (const shown of format(line).split('\n')) {
      write(`${prefix}${shown}\n`)
    }
  }
  return {
    push(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        writeLine(pending.slice(0, newline).replace(/\r$/, ''))
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
      }
    },
    flush() {
      pending += decoder.end()
      if (pending !== '') {
        writeLine(pending)
        pending = ''
      }
    },
  }
}
