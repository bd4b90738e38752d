/**
 * `hedge`: tail-latency insurance for idempotent reads.
 *
 * Most stock look-ups answer in 50 ms, but now and then one replica stalls for 2 s. Instead of
 * waiting, `hedge` sends a second copy of the request if the first has not answered after 100 ms.
 * The first answer wins and the loser is aborted, so the stalled request stops too. The caller
 * waits 150 ms instead of 2 s, at the price of one extra request in the slow case only.
 *
 * Only hedge reads (or writes with an idempotency key): both copies may reach the server.
 *
 * Run it: `npm run example:hedge` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { type ExecutionContext, hedge } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  /** GET /stock on some replica: the first copy hits the stalled one (2 s), later copies answer in 50 ms. */
  const getStock = ({ attempt, signal }: ExecutionContext): Promise<number> => {
    const latencyMs = attempt === 1 ? 2000 : 50
    say(`copy ${attempt}: sent (will take ${latencyMs} ms)`)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        say(`copy ${attempt}: answered`)
        resolve(7) // every replica gives the same answer: the read is idempotent
      }, latencyMs)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        say(`copy ${attempt}: aborted, it lost the race`)
        reject(signal.reason)
      }, { once: true })
    })
  }

  const stock = await hedge(getStock, { delayMs: 100 })
  say(`stock = ${stock}, answered in ${Math.round(performance.now() - start)} ms instead of 2000 ms`)
}

/** `+150 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
