import { StringDecoder } from 'node:string_decoder'

/** Splits a byte stream into lines. */
export interface LineSplitter {
  /** Feeds a chunk; each complete line goes to the listener at once, a trailing partial line is kept. */
  push(chunk: Buffer | string): void
  /** Passes on what is left of a last line with no newline (call when the stream ends). */
  flush(): void
}

/**
 * Creates a {@link LineSplitter} that calls `onLine` with each line, without its newline (or
 * `\r\n`). A chunk from a pipe can end in the middle of a line, or in the middle of a multi-byte
 * character, so both are carried over to the next chunk rather than cut in two.
 */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  return {
    push(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        onLine(pending.slice(0, newline).replace(/\r$/, ''))
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
      }
    },
    flush() {
      pending += decoder.end()
      if (pending !== '') {
        onLine(pending)
        pending = ''
      }
    },
  }
}
