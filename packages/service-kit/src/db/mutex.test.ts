import { describe, expect, it } from 'vitest'

import { Mutex } from './mutex.js'

describe('Mutex', () => {
  it('runs holders one at a time, in arrival order', async () => {
    const mutex = new Mutex()
    const order: string[] = []
    const hold = (name: string) => mutex.run(async () => {
      order.push(`${name} in`)
      await new Promise((resolve) => setTimeout(resolve, 5))
      order.push(`${name} out`)
    })
    await Promise.all([hold('a'), hold('b'), hold('c')])
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out'])
  })

  it('drops a waiter whose signal aborts, so its work never runs', async () => {
    const mutex = new Mutex()
    await mutex.acquire()
    const controller = new AbortController()
    let ran = false
    const waiting = mutex.run(async () => {
      ran = true
    }, controller.signal)
    expect(mutex.waiting).toBe(1)
    const reason = new Error('deadline')
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(mutex.waiting).toBe(0)
    mutex.release()
    await mutex.run(async () => {})
    expect(ran).toBe(false)
  })
})
