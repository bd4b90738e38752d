import { describe, expect, it } from 'vitest'

import { createLinePrefixer, formatPrefix } from '../src/log-prefix.js'

describe('formatPrefix', () => {
  it('pads the name and adds colour only when asked', () => {
    expect(formatPrefix('cart', 9, 0, false)).toBe('cart      | ')
    const coloured = formatPrefix('cart', 9, 0, true)
    expect(coloured).toMatch(/^\u001b\[\d+mcart {6}\| \u001b\[0m$/)
  })
})

describe('createLinePrefixer', () => {
  it('writes a line with the prefix and a newline', () => {
    const lines: string[] = []
    const prefixer = createLinePrefixer('p | ', (line) => lines.push(line))
    prefixer('{"level":30}')
    expect(lines).toEqual(['p | {"level":30}\n'])
  })

  it('prefixes each line of what the formatter turns one line into (an error and its stack)', () => {
    const lines: string[] = []
    const prefixer = createLinePrefixer('p | ', (line) => lines.push(line), (line) => `${line}\n    at main.js:1`)
    prefixer('Error: boom')
    expect(lines).toEqual(['p | Error: boom\n', 'p |     at main.js:1\n'])
  })
})
