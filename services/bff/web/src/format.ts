/**
 * Numbers and times as the pages show them, written out by hand. `toLocaleString` and
 * `toLocaleTimeString` would do the same through `Intl`, whose first use on a page loads locale
 * data on the main thread: some 30 to 50 ms on a fast machine, four times that on a slow phone, in
 * the very task that draws the first figures. The pages are in English, so English forms serve.
 */

/** A whole number with commas between thousands: `1234567` → `1,234,567`. */
export function groupThousands(value: number): string {
  const sign = value < 0 ? '-' : ''
  return sign + String(Math.trunc(Math.abs(value))).replace(/\B(?=(\d{3})+$)/g, ',')
}

/** The local time of day on a 24-hour clock: `15:04:05`. */
export function clockTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':')
}
