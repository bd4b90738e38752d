import type { Queryable } from '@storefront/service-kit'

/** An idempotency key's row: the request it was first used with, and the answer once there is one. */
export interface IdempotencyRecord {
  readonly requestHash: string
  /** Undefined only while the claiming transaction runs (never in a committed row). */
  readonly result: { readonly statusCode: number; readonly body: unknown } | undefined
}

interface IdempotencyRow extends Record<string, unknown> {
  readonly request_hash: string
  readonly status_code: number | null
  readonly response: unknown
}

/** The SQL of stored idempotent answers, per user and key. */
export class IdempotencyRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Inserts the key without a result; true if this call inserted it. On PostgreSQL, while another
   * open transaction holds the same key, this waits on the unique index until that one ends: after
   * its commit the answer is false, after its rollback this call inserts.
   */
  async claim(userId: number, key: string, requestHash: string, signal: AbortSignal): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, key) DO NOTHING
       RETURNING user_id`,
      [userId, key, requestHash],
      { signal },
    )
    return rows.length === 1
  }

  /** The key's row, or undefined. */
  async find(userId: number, key: string, signal: AbortSignal): Promise<IdempotencyRecord | undefined> {
    const rows = await this.db.query<IdempotencyRow>('SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2', [userId, key], { signal })
    const row = rows[0]
    if (row === undefined) {
      return undefined
    }
    return { requestHash: row.request_hash, result: row.status_code === null ? undefined : { statusCode: row.status_code, body: row.response } }
  }

  /** Stores the answer of a claimed key (in the claiming transaction). */
  async complete(userId: number, key: string, result: { statusCode: number; body: unknown }, signal: AbortSignal): Promise<void> {
    // The body goes as a value, not as JSON text: both drivers serialize a jsonb parameter
    // themselves, and postgres.js would store a pre-serialized string as a JSON string.
    await this.db.query('UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb WHERE user_id = $1 AND key = $2', [userId, key, result.statusCode, result.body], { signal })
  }

  /** Deletes keys older than `hours`; returns how many. Cheap: it walks the `created_at` index. */
  async purgeOlderThan(hours: number, signal?: AbortSignal): Promise<number> {
    const rows = await this.db.query<{ purged: number }>(
      `WITH purged AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1)
       SELECT count(*)::integer AS purged FROM purged`,
      [hours],
      { signal },
    )
    return rows[0]?.purged ?? 0
  }
}
