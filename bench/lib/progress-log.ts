/**
 * A log of a run's progress on stderr, each line prefixed with the seconds since this was called
 * (`[ 12.3 s] products: starting on 127.0.0.1:40723`), so a slow step shows; the report itself
 * goes to stdout.
 */
export function progressLog(): (line: string) => void {
  const startedAt = performance.now()
  return (line) => {
    process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}\n`)
  }
}
