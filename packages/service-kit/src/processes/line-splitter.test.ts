import { describe, expect, it } from 'vitest'

import { createLineSplitter } from './line-splitter.js'

function collect() {
  const lines: string[] = []
  return { lines, splitter: createLineSplitter((line) => lines.push(line)) }
}

describe('createLineSplitter', () => {
  it('passes on each complete line of a chunk, without its newline or carriage return', () => {
    const { lines, splitter } = collect()
    splitter.push('one\ntwo\r\n')
    expect(lines).toEqual(['one', 'two'])
  })

  it('joins a line split across chunks, and holds a partial line until its newline', () => {
    const { lines, splitter } = collect()
    splitter.push('{"lev')
    expect(lines).toEqual([])
    splitter.push(Buffer.from('el":30}\nnext'))
    expect(lines).toEqual(['{"level":30}'])
    splitter.push(' part\n')
    expect(lines).toEqual(['{"level":30}', 'next part'])
  })

  it('keeps a multi-byte character split between chunks intact', () => {
    const { lines, splitter } = collect()
    const bytes = Buffer.from('café…\n')
    splitter.push(bytes.subarray(0, 4))
    splitter.push(bytes.subarray(4, 6))
    splitter.push(bytes.subarray(6))
    expect(lines).toEqual(['café…'])
  })

  it('passes on a last line without a newline on flush, and nothing for an empty rest', () => {
    const { lines, splitter } = collect()
    splitter.push('done\ntail')
    splitter.flush()
    splitter.flush()
    expect(lines).toEqual(['done', 'tail'])
  })
})
