import type { PageTrace, PageTraces } from './api-types.js'
import { ApiError, api, h, required } from './api.js'
import { clockTime, groupThousands } from './format.js'
import { keptBecause } from './trace-layout.js'
import { drawWaterfall } from './waterfall.js'

const elements = {
  section: required('#slow-pages', HTMLElement),
  rows: required('#slow-page-rows', HTMLTableSectionElement),
  note: required('#slow-pages-note', HTMLElement),
  empty: required('#slow-pages-empty', HTMLElement),
  waterfall: required('#waterfall', HTMLElement),
}

/** Table rows by trace id, kept across refreshes so a row never moves or loses focus while it is listed. */
const rows = new Map<string, HTMLTableRowElement>()
/** The latest answer's pages, by trace id: a click draws the page as last listed (late spans included). */
let listed = new Map<string, PageTrace>()
let selected: string | undefined

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) {
    element.textContent = text
  }
}

/** How long the window is, in words. */
function windowWords(seconds: number): string {
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} s`
}

/**
 * Reads the kept pages and lists the new ones at the top of the table, leaving the rows already
 * there in place (the list only grows at the top: it is newest first). Called with every poll of
 * the dashboard; a failure shows in the panel, not over the figures.
 */
export async function refreshSlowPages(headers: Record<string, string>): Promise<void> {
  let answer: PageTraces
  try {
    answer = await api<PageTraces>('GET', '/ops/traces', undefined, headers)
  } catch (error) {
    setText(elements.note, `The slow pages could not be read: ${error instanceof ApiError ? error.message : 'connection failed'}.`)
    return
  }
  listed = new Map(answer.traces.map((trace) => [trace.trace_id, trace]))
  const dropped = answer.dropped_traces > 0 ? ` ${groupThousands(answer.dropped_traces)} pages were too many to follow and are not listed.` : ''
  setText(elements.note, `The slowest, degraded and failed pages of the last ${windowWords(answer.window_s)}, newest first. Choose one to see where its time went.${dropped}`)
  renderRows(answer.traces)
  elements.empty.hidden = answer.traces.length > 0
}

function renderRows(traces: readonly PageTrace[]): void {
  for (const [traceId, row] of rows) {
    if (!listed.has(traceId)) {
      // A focused row that leaves would drop focus to the page: it goes to the panel instead.
      const hadFocus = row.contains(document.activeElement)
      row.remove()
      rows.delete(traceId)
      if (hadFocus) {
        elements.section.focus()
      }
    }
  }
  let previous: HTMLTableRowElement | undefined
  for (const trace of traces) {
    let row = rows.get(trace.trace_id)
    if (row === undefined) {
      row = createRow(trace)
      rows.set(trace.trace_id, row)
      if (previous === undefined) {
        elements.rows.prepend(row)
      } else {
        previous.after(row)
      }
    }
    previous = row
  }
}

/** A page's row: when, which page (the button that draws it), how long, why it was kept, what was missing. */
function createRow(trace: PageTrace): HTMLTableRowElement {
  const time = clockTime(new Date(trace.started_at))
  const duration = `${trace.duration_ms.toFixed(1)} ms`
  // The time and trace id, visually hidden, make each button's name unique among pages of the same route.
  const button = h('button', { 'type': 'button', 'class': 'link-button', 'aria-controls': 'waterfall', 'aria-expanded': 'false' },
    trace.name,
    h('span', { class: 'visually-hidden' }, ` at ${time}, ${duration} (trace ${trace.trace_id.slice(0, 8)})`),
  )
  button.addEventListener('click', () => {
    show(trace.trace_id)
  })
  return h('tr', { 'data-trace-id': trace.trace_id, 'data-kept-because': trace.kept_because },
    h('td', {}, time),
    h('th', { scope: 'row' }, button),
    h('td', { class: 'number' }, duration),
    h('td', {}, keptBecause(trace)),
    h('td', {}, trace.degraded.length > 0 ? trace.degraded.join(', ') : '–'),
  )
}

/** Draws the page `traceId` below the table and marks its button as the one shown. */
function show(traceId: string): void {
  const trace = listed.get(traceId)
  if (trace === undefined) {
    return
  }
  selected = traceId
  for (const [id, row] of rows) {
    row.querySelector('button')?.setAttribute('aria-expanded', String(id === selected))
  }
  drawWaterfall(elements.waterfall, trace)
}
