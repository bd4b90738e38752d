import type { Queryable } from './database.js'

/** Rows per statement: large enough that round trips do not dominate, small enough for one parameter array. */
const DEFAULT_BATCH_SIZE = 1000

/** How {@link insertInBatches} writes one batch. */
export interface BatchInsert {
  /** Inserts the rows for `ids` (consecutive, ascending) with one statement. */
  (db: Queryable, ids: number[]): Promise<unknown>
}

/**
 * Writes the rows for ids 1..`count` in batches of `batchSize`, calling `onProgress` with how many
 * are done after each. The seeding of a catalogue of any size goes through here, so a progress bar
 * and the batch size are the same for every service that generates rows by id.
 */
export async function insertInBatches(
  db: Queryable,
  count: number,
  insert: BatchInsert,
  options: { readonly batchSize?: number; readonly onProgress?: ((done: number) => void) | undefined } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  for (let start = 1; start <= count; start += batchSize) {
    const end = Math.min(count, start + batchSize - 1)
    const ids = Array.from({ length: end - start + 1 }, (_, index) => start + index)
    await insert(db, ids)
    options.onProgress?.(end)
  }
}
