import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const script = fileURLToPath(new URL('./test-support/leak-check.ts', import.meta.url))

interface LeakReport {
  readonly callsMade: number
  readonly hangingCalls: number
  readonly flakyCalls: number
  readonly outcomes: { readonly fulfilled: number; readonly timeout: number; readonly callerAbort: number; readonly other: number }
  readonly breakerState: string
  readonly resources: {
    readonly before: Record<string, number>
    readonly whilePending: Record<string, number>
    readonly afterControl: Record<string, number>
    readonly after: Record<string, number>
  }
  readonly pendingTimers: { readonly whilePending: number; readonly after: number }
  readonly leftoverOnSharedSignal: number
  readonly leftoverOnPerCallSignals: number
  readonly heap: { readonly atBaseline: number; readonly atEnd: number; readonly growth: number }
}

interface ChildRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the leak check in its own Node process, killed if it has not exited after `timeoutMs`. */
function runChild(timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script],
      { cwd: repoRoot, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (_error, stdout, stderr) => {
        resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr })
      },
    )
  })
}

describe('leaks', () => {
  it(
    'leaves no timer, listener or heap growth behind after 100 000 calls through timeout + retry + breaker, and lets the process exit',
    async () => {
      const run = await runChild(60_000)

      // The child ended on its own, successfully: nothing held its event loop open.
      expect(run.signal, run.stderr).toBeNull()
      expect(run.code, run.stderr).toBe(0)
      const [reportLine, exitLine] = run.stdout.trim().split('\n')
      const report = JSON.parse(reportLine ?? '') as LeakReport
      const { exitDelayMs } = JSON.parse(exitLine ?? '') as { exitDelayMs: number }

      // The run exercised every path it claims to.
      expect(report.callsMade).toBe(100_000)
      expect(report.flakyCalls).toBe(2000)
      expect(report.outcomes).toEqual({
        fulfilled: 100_000 - 2500,
        timeout: report.hangingCalls,
        callerAbort: 2500,
        other: 0,
      })
      expect(report.breakerState).toBe('closed')

      // Control: a pending call's timeout shows as one ref'd Timeout; unref'd timers are not listed.
      expect(report.resources.whilePending).toEqual({ ...report.resources.before, Timeout: (report.resources.before.Timeout ?? 0) + 1 })
      expect(report.pendingTimers.whilePending).toBeGreaterThan(0)
      expect(report.resources.afterControl).toEqual(report.resources.before)

      // After the calls: no ref'd timer or other handle more than before, no pending timeout.
      for (const [kind, count] of Object.entries(report.resources.after)) {
        expect({ kind, count }).toEqual({ kind, count: Math.min(count, report.resources.before[kind] ?? 0) })
      }
      expect(report.resources.after.Timeout ?? 0).toBe(0)
      expect(report.pendingTimers.after).toBe(0)

      // No abort listener left on the caller's signals, long-lived or per call.
      expect(report.leftoverOnSharedSignal).toBe(0)
      expect(report.leftoverOnPerCallSignals).toBe(0)

      // Heap after gc is flat between 20 000 and 100 000 calls.
      expect(report.heap.growth).toBeLessThan(1024 * 1024)

      // Once the calls are done the process exits at once, well before any 800 or 1000 ms timer could fire.
      expect(exitDelayMs).toBeLessThan(500)
    },
    90_000,
  )
})
