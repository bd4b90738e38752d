import { Redis, type RedisOptions } from 'ioredis'

/** How long one attempt to reach Redis may take, in ms; the BFF's start waits for the first at most this long. */
const REDIS_CONNECT_TIMEOUT_MS = 1000

/** Options of {@link createRateLimitRedis}. */
export interface RateLimitRedisOptions {
  /** Longest a check may wait for its answer, in ms. */
  readonly timeoutMs: number
  /** Called with the error of every check that failed: not connected, timed out, or refused. */
  readonly onCheckFailed: (error: Error) => void
}

/**
 * The ioredis client of the shared rate limit. Set for one short check on every request rather
 * than for durable writes, so that Redis being down or slow costs a request at most `timeoutMs`:
 *
 * - `enableOfflineQueue: false`: while not connected a check fails at once, instead of waiting in
 *   a queue for a connection that may be minutes away (ioredis queues by default).
 * - `commandTimeout`: connected but slow, a check fails after `timeoutMs`.
 * - `socketTimeout`: a connection that has not answered for a second is dropped, so while Redis
 *   hangs every later check fails at once rather than after `timeoutMs` each.
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a check cut off by a lost
 *   connection fails at once and is never sent again, which could count a request twice.
 * - `connectTimeout` and a reconnection delay growing to a second: back within about a second of
 *   Redis, without a connection attempt more often than every 100 ms.
 * - `lazyConnect`: nothing is opened until the app starts ({@link connectWithin}).
 *
 * The URL is given as is; the BFF's config refuses a query string, whose options would override
 * these.
 */
export function createRateLimitRedis(url: string, options: RateLimitRedisOptions): Redis {
  return new ReportingRedis(url, options)
}

/** The client's settings, as {@link createRateLimitRedis} gives the reasons. */
function clientSettings(timeoutMs: number) {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: timeoutMs,
    socketTimeout: Math.max(1000, timeoutMs),
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    connectionName: 'storefront-bff-rate-limit',
  } satisfies RedisOptions
}

/**
 * Connects, waiting at most {@link REDIS_CONNECT_TIMEOUT_MS}, and resolves either way: an
 * unreachable Redis must not keep the BFF from starting. The client reports its errors as events
 * and goes on reconnecting by itself.
 */
export async function connectWithin(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, REDIS_CONNECT_TIMEOUT_MS)
  })
  try {
    await Promise.race([redis.connect().catch(() => undefined), gaveUp])
  } finally {
    clearTimeout(timer)
  }
}

/** `url` without its user and password, for the log: `redis://10.0.0.5:6379/0`. */
export function redisForLogs(url: string): string {
  const { protocol, host, pathname } = new URL(url)
  return `${protocol}//${host}${pathname}`
}

/**
 * A client that reports each failed script command. The plugin's Redis store runs its check as a
 * Lua script it defines on the client it is given (`defineCommand`), and with `skipOnError` it
 * lets a failed check through without a word: here, where the script's answer comes back, a failure
 * can still be counted and logged. Each check is one call of the script, so one failure is one
 * request let through.
 */
class ReportingRedis extends Redis {
  readonly #onCheckFailed: (error: Error) => void

  constructor(url: string, options: RateLimitRedisOptions) {
    super(url, clientSettings(options.timeoutMs))
    this.#onCheckFailed = options.onCheckFailed
  }

  override defineCommand(name: string, definition: { lua: string; numberOfKeys?: number; readOnly?: boolean }): void {
    super.defineCommand(name, definition)
    const commands = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    const run = commands[name]
    if (run === undefined) {
      return
    }
    commands[name] = (...args) => {
      const answer = run.apply(this, args)
      // The caller's own callback or await still sees the failure; this only listens.
      answer.catch((error: unknown) => {
        this.#onCheckFailed(toError(error))
      })
      return answer
    }
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
