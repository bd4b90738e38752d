import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { ChildProcessSupervisor, DEFAULT_BACKOFF, decideRestart } from '../src/child-process-supervisor.js'
import type { ProcessPlan } from '../src/system-plan.js'

describe('decideRestart', () => {
  it('backs off 1 s, doubling, and gives up at the fifth quick crash in a row', () => {
    let crashes = 0
    const delays: number[] = []
    for (;;) {
      const decision = decideRestart(DEFAULT_BACKOFF, crashes, 500)
      crashes = decision.quickCrashes
      if (decision.action === 'give-up') {
        break
      }
      delays.push(decision.delayMs)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000])
    expect(crashes).toBe(5)
  })

  it('caps the delay at 30 s', () => {
    const decision = decideRestart({ ...DEFAULT_BACKOFF, maxQuickCrashes: 100 }, 10, 0)
    expect(decision).toEqual({ action: 'restart', delayMs: 30_000, quickCrashes: 11 })
  })

  it('resets after 60 s up: a late crash restarts after 1 s and does not count', () => {
    expect(decideRestart(DEFAULT_BACKOFF, 4, 60_000)).toEqual({ action: 'restart', delayMs: 1000, quickCrashes: 0 })
  })
})

describe('ChildProcessSupervisor, with real child processes', () => {
  // Each child is a few lines of JavaScript in a temporary folder, standing in for a service.
  const dir = mkdtempSync(join(tmpdir(), 'sf-supervisor-'))
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  function plan(name: ProcessPlan['service'], source: string): ProcessPlan {
    const script = join(dir, `${name}.mjs`)
    writeFileSync(script, source)
    return { name, service: name, script, port: 0, origin: 'http://127.0.0.1:0', env: { PATH: process.env.PATH ?? '' } }
  }

  function supervise(plans: ProcessPlan[], onGiveUp: (name: string, reason: string) => void = () => {}) {
    const written: string[] = []
    const logged: string[] = []
    const supervisor = new ChildProcessSupervisor({
      plans,
      cwd: dir,
      write: (line) => written.push(line),
      log: (message) => logged.push(message),
      colour: false,
      onGiveUp,
      backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000, maxQuickCrashes: 3 },
    })
    return { supervisor, written, logged }
  }

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  it('prefixes every line of a child, restarts it after a crash with backoff, and gives up after the third quick crash in a row', async () => {
    let gaveUp: string | undefined
    const { supervisor, written, logged } = supervise([plan('cart', 'console.log("crashing"); process.exitCode = 1')], (name) => { gaveUp = name })
    supervisor.start()
    await until(() => gaveUp !== undefined)
    expect(gaveUp).toBe('cart')
    expect(written).toEqual(['cart     | crashing\n', 'cart     | crashing\n', 'cart     | crashing\n'])
    expect(logged.filter((line) => line.includes('exited unexpectedly')).map((line) => line.replace(/after \d+ ms/, 'after N ms'))).toEqual([
      'cart exited unexpectedly (exit code 1) after N ms; restarting in 10 ms',
      'cart exited unexpectedly (exit code 1) after N ms; restarting in 20 ms',
    ])
    expect(logged.at(-1)).toMatch(/^cart exited \(exit code 1\) after \d+ ms: 3 quick crashes in a row, giving up$/)
    expect(supervisor.pids()).toEqual([])
    await supervisor.stop()
  })

  it('stops every child with SIGTERM, and kills the one still running after the grace period', async () => {
    const { supervisor, written, logged } = supervise([
      plan('cart', 'process.once("SIGTERM", () => { console.log("draining"); process.exit(0) }); console.log("up"); setInterval(() => {}, 1000)'),
      plan('bff', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("up"); setInterval(() => {}, 1000)'),
    ])
    supervisor.start()
    await until(() => written.filter((line) => line.endsWith('| up\n')).length === 2)
    expect(supervisor.pids()).toHaveLength(2)
    await supervisor.stop(300)
    expect(written).toContain('cart     | draining\n')
    expect(written).toContain('bff      | ignoring SIGTERM\n')
    expect(logged.filter((line) => line.includes('did not stop'))).toEqual(['bff did not stop within 300 ms: SIGKILL'])
    expect(logged.filter((line) => line.includes('exited unexpectedly'))).toEqual([])
    expect(supervisor.pids()).toEqual([])
  })
})
