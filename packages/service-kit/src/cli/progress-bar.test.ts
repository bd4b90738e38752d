import { describe, expect, it } from 'vitest'

import { progressBar } from './progress-bar.js'

/** A stream that records what is written, and a clock the test moves. */
function harness(isTTY: boolean, columns = 100) {
  const chunks: string[] = []
  let time = 0
  const stream = { isTTY, columns, write: (chunk: string) => chunks.push(chunk) }
  return {
    chunks,
    options: { stream, now: () => time },
    advance: (ms: number) => {
      time += ms
    },
  }
}

describe('progressBar on a terminal', () => {
  it('redraws one line in place with bar, count, percent, rate and ETA', () => {
    const { chunks, options, advance } = harness(true)
    const bar = progressBar('products', 10_000, options)
    advance(1000)
    bar.update(4000)
    expect(chunks).toEqual([`\rproducts [${'#'.repeat(16)}${'.'.repeat(24)}] 4,000/10,000   40%  4,000/s  ETA 1.5 s\x1b[K`])
  })

  it('redraws at most once per redrawMs', () => {
    const { chunks, options, advance } = harness(true)
    const bar = progressBar('products', 100, { ...options, redrawMs: 100 })
    bar.update(1)
    advance(99)
    bar.update(2)
    advance(1)
    bar.update(3)
    expect(chunks).toHaveLength(2)
    expect(chunks[1]).toContain(' 3/100 ')
  })

  it('ends with the total time and a newline, once', () => {
    const { chunks, options, advance } = harness(true)
    const bar = progressBar('inventory', 1000, options)
    advance(2500)
    bar.update(1000)
    bar.finish()
    bar.finish()
    bar.update(10)
    expect(chunks).toHaveLength(2)
    expect(chunks[1]).toBe(`\rinventory [${'#'.repeat(40)}] 1,000/1,000  100%  400/s  in 2.5 s\x1b[K\n`)
  })

  it('narrows the bar to fit the terminal, down to ten characters', () => {
    const { chunks, options } = harness(true, 40)
    progressBar('products', 10, options).update(5)
    expect(chunks[0]).toContain(`[${'#'.repeat(5)}${'.'.repeat(5)}]`)
  })
})

describe('progressBar off a terminal', () => {
  it('prints a plain line at each tenth, and the total time at the end', () => {
    const { chunks, options, advance } = harness(false)
    const bar = progressBar('products', 100, options)
    for (let done = 5; done <= 100; done += 5) {
      advance(100)
      bar.update(done)
    }
    bar.finish()
    expect(chunks).toHaveLength(10)
    expect(chunks[0]).toBe('products: 10/100   10%  50/s  ETA 1.8 s\n')
    expect(chunks[8]).toBe('products: 90/100   90%  50/s  ETA 0.2 s\n')
    expect(chunks[9]).toBe('products: 100/100  100%  50/s  in 2.0 s\n')
  })

  it('prints at least every lineMs when progress is slow', () => {
    const { chunks, options, advance } = harness(false)
    const bar = progressBar('products', 1000, { ...options, lineMs: 10_000 })
    bar.update(1)
    advance(9_999)
    bar.update(2)
    advance(1)
    bar.update(3)
    expect(chunks).toEqual(['products: 3/1,000    0%  0/s  ETA 55:23\n'])
  })

  it('clamps counts to 0..total and treats a total of 0 as complete', () => {
    const { chunks, options } = harness(false)
    const bar = progressBar('empty', 0, options)
    bar.update(5)
    bar.finish()
    expect(chunks).toEqual(['empty: 0/0  100%  0/s  in 0.0 s\n'])
  })
})
