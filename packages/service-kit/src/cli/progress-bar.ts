/** Where a progress bar draws: `process.stderr`, or anything with `write` (tests). */
export interface ProgressStream {
  write(chunk: string): unknown
  /** True on a terminal: the bar redraws one line in place. Otherwise it prints plain lines. */
  readonly isTTY?: boolean | undefined
  /** The terminal's width in characters. Defaults to 80. */
  readonly columns?: number | undefined
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Where to draw. Defaults to `process.stderr`. */
  readonly stream?: ProgressStream
  /** The clock, in ms. Defaults to `performance.now`. */
  readonly now?: () => number
  /** Least time between two redraws on a terminal, in ms. Defaults to 100. */
  readonly redrawMs?: number
  /** Off a terminal, a plain line is printed at each tenth of the total and at least this often, in ms. Defaults to 10 000. */
  readonly lineMs?: number
}

/** A progress bar over a known total; see {@link progressBar}. */
export interface ProgressBar {
  /**
   * Records that `done` items out of the total are finished (an absolute count, not an increment,
   * so it can be passed as an `onProgress` callback as it is).
   */
  readonly update: (done: number) => void
  /** Draws the final state and ends the line. Later calls do nothing. */
  readonly finish: () => void
}

/**
 * A one-line progress bar: `label [#####.....] 4,000/10,000  40%  12,345/s  ETA 0.5 s`.
 *
 * On a terminal it redraws that line in place (at most every `redrawMs`). Off a terminal (a log
 * file, CI) carriage returns would pile up, so it prints a plain line at each tenth of the total
 * and at least every `lineMs` instead. Rate and ETA are the average since the bar was created.
 *
 * @example
 * const bar = progressBar('products', 100_000)
 * await seedProducts(db, 100_000, bar.update)
 * bar.finish()
 */
export function progressBar(label: string, total: number, options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr
  const now = options.now ?? (() => performance.now())
  const redrawMs = options.redrawMs ?? 100
  const lineMs = options.lineMs ?? 10_000
  const tty = stream.isTTY === true
  const started = now()
  let done = 0
  let finished = false
  // A terminal shows the first update at once; a log gets its first line after a tenth or lineMs.
  let lastDrawAt = tty ? Number.NEGATIVE_INFINITY : started
  let lastTenth = 0

  const render = (at: number, final: boolean): string => {
    const elapsedS = (at - started) / 1000
    const rate = elapsedS > 0 ? done / elapsedS : 0
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
    const count = `${formatCount(done)}/${formatCount(total)}`
    const timing = final ? `in ${formatDuration(elapsedS)}` : `ETA ${rate > 0 ? formatDuration((total - done) / rate) : '-:--'}`
    const figures = `${count}  ${String(percent).padStart(3)}%  ${formatCount(Math.round(rate))}/s  ${timing}`
    if (!tty) {
      return `${label}: ${figures}`
    }
    // The bar takes what the terminal has left, within reason, so the line never wraps.
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - figures.length - 6))
    const filled = total === 0 ? width : Math.floor((done / total) * width)
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}`
  }

  const update = (value: number): void => {
    if (finished) {
      return
    }
    done = Math.max(0, Math.min(total, value))
    const at = now()
    if (tty) {
      if (at - lastDrawAt >= redrawMs) {
        lastDrawAt = at
        // \r returns to the line's start; \x1b[K clears what a longer previous line left behind.
        stream.write(`\r${render(at, false)}\x1b[K`)
      }
      return
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10)
    // The last tenth is left to finish(), which prints the total time instead of an ETA.
    if (done < total && (tenth > lastTenth || at - lastDrawAt >= lineMs)) {
      lastTenth = tenth
      lastDrawAt = at
      stream.write(`${render(at, false)}\n`)
    }
  }

  const finish = (): void => {
    if (finished) {
      return
    }
    finished = true
    const line = render(now(), true)
    stream.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`)
  }

  return { update, finish }
}

/** 12345 → `12,345`: grouped for reading, whatever the machine's locale. */
function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}

/** Seconds as `m:ss` (or `h:mm:ss`); under ten seconds with a tenth, as `3.2 s`. */
function formatDuration(seconds: number): string {
  if (seconds < 10) {
    return `${seconds.toFixed(1)} s`
  }
  const whole = Math.round(seconds)
  const h = Math.floor(whole / 3600)
  const m = Math.floor((whole % 3600) / 60)
  const s = String(whole % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
