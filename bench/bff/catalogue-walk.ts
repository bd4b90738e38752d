import { type AnswerCheck, type PageAnswer, isCatalogue, labelOf, readPageBody } from './page-answer.js'

/** The label of a page of the walk that is not the one its cursor asks for. */
const WRONG_PRODUCTS = '200, not the products after the cursor'
const WRONG_CURSOR = '200, next_after not the last product (or null on the last page)'

/**
 * Clients walking a catalogue of the products 1..`size` a page at a time, as a shop's pages do:
 * each answer's `next_after` is the cursor of a later request (`?limit=N&after=ID`), and the last
 * page starts its walk over. The walkers start spread evenly over the catalogue, so that they ask
 * for different pages rather than all for the same one, and every page is checked: the `limit`
 * products right after its cursor, in order (fewer on the last page), and a `next_after` naming
 * the last of them (null on the last page).
 *
 * One walk serves one load run and its warm-up: {@link nextPath} gives each request its cursor,
 * and the check's classifier hands the cursor of each answer to a later request. A request that
 * gets no answer (a connection error) loses its walker; the next request then starts a walk over.
 */
export class CatalogueWalk {
  readonly check: AnswerCheck
  private readonly cursors: number[]

  constructor(private readonly size: number, private readonly limit: number, walkers: number) {
    this.cursors = Array.from({ length: walkers }, (_, index) => Math.floor((index * size) / walkers))
    this.check = {
      right: '200',
      classify: (status, body, _headers, path) => {
        const after = Number(/[?&]after=(\d+)/.exec(path)?.[1] ?? 0)
        const page = readPageBody(status, body)
        // The last page (null) starts over; an answer without a cursor asks for the same page again.
        this.cursors.push(page.nextAfter === undefined ? after : page.nextAfter ?? 0)
        return this.labelOf(after, page)
      },
    }
  }

  /** The path of the next request: the oldest cursor not yet asked for, or the first page. */
  readonly nextPath = (): string => {
    const after = this.cursors.shift() ?? 0
    return after === 0 ? `/products/all?limit=${this.limit}` : `/products/all?limit=${this.limit}&after=${after}`
  }

  private labelOf(after: number, page: PageAnswer): string {
    const label = labelOf(page)
    if (label !== '200') {
      return label
    }
    const count = Math.min(this.limit, this.size - after)
    if (!isCatalogue(page.productIds, after, count)) {
      return WRONG_PRODUCTS
    }
    return page.nextAfter === (after + count < this.size ? after + count : null) ? label : WRONG_CURSOR
  }
}
