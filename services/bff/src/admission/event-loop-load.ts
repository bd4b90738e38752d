import { type EventLoopUtilization, performance } from 'node:perf_hooks'

/** The shortest stretch the loop's utilization is read over, in ms. */
const READ_EVERY_MS = 20

/** The share of a stretch spent running code from which the loop counts as busy. */
const BUSY_FROM = 0.9

/** The share below which a busy loop counts as having room again. */
const ROOM_BELOW = 0.6

/**
 * Whether this process's event loop is busy: it becomes busy once over {@link BUSY_FROM} of a
 * stretch of at least {@link READ_EVERY_MS} ms went on running code rather than waiting for I/O,
 * and stays busy until a stretch below {@link ROOM_BELOW}, so that work admitted while it is busy
 * does not flip it back and forth. A busy loop is the one thing more admitted work makes worse:
 * every request then waits for the others' turns on the core. A page waiting on a slow downstream
 * costs memory and a socket, not the core.
 *
 * It is read when asked, not on a timer: a busy loop runs its timers late, exactly when the answer
 * matters.
 */
export class EventLoopLoad {
  private last: EventLoopUtilization = performance.eventLoopUtilization()
  private lastReadAt = performance.now()
  private busyNow = false

  /** True while the loop is busy; reads its utilization when the last reading is old enough. */
  get busy(): boolean {
    const now = performance.now()
    if (now - this.lastReadAt >= READ_EVERY_MS) {
      const reading = performance.eventLoopUtilization()
      const utilization = performance.eventLoopUtilization(reading, this.last).utilization
      this.busyNow = this.busyNow ? utilization >= ROOM_BELOW : utilization >= BUSY_FROM
      this.last = reading
      this.lastReadAt = now
    }
    return this.busyNow
  }
}
