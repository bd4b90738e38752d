import { describe, expect, it } from 'vitest'

import { createLinePrefixer, formatPrefix } from '../src/log-prefix.js'

function collect() {
  const lines: string[] = []
  return { lines, prefixer: createLinePrefixer('p | ', (line) => lines.push(line)) }
}

describe('formatPrefix', () => {
  it('pads the name and adds colour only when asked', () => {
    expect(formatPrefix('cart', 9, 0, false)).toBe('cart      | ')
    const coloured = formatPrefix('cart', 9, 0, true)
    expect(coloured).toMatch(/^\u001b\[\d+mcart {6}\| \u001b\[0m$/)
  })
})

describe('createLinePrefixer', () => {
  it('prefixes each complete line of a chunk', () => {
    const { lines, prefixer } = collect()
    prefixer.push('one\ntwo\r\n')
    expect(lines).toEqual(['p | one\n', 'p | two\n'])
  })

  it('joins a line split across chunks, and holds a partial line until its newline', () => {
    const { lines, prefixer } = collect()
    prefixer.push('{"lev')
    expect(lines).toEqual([])
    prefixer.push(Buffer.from('el":30}\nnext'))
    expect(lines).toEqual(['p | {"level":30}\n'])
    prefixer.push(' part\n')
    expect(lines).toEqual(['p | {"level":30}\n', 'p | next part\n'])
  })

  it('keeps a multi-byte character split between chunks intact', () => {
    const { lines, prefixer } = collect()
    const bytes = Buffer.from('café…\n')
    prefixer.push(bytes.subarray(0, 4))
    prefixer.push(bytes.subarray(4, 6))
    prefixer.push(bytes.subarray(6))
    expect(lines).toEqual(['p | café…\n'])
  })

  it('writes a last line without a newline on flush, and nothing for an empty rest', () => {
    const { lines, prefixer } = collect()
    prefixer.push('done\ntail')
    prefixer.flush()
    prefixer.flush()
    expect(lines).toEqual(['p | done\n', 'p | tail\n'])
  })
})
