import type { PageTrace } from './api-types.js'
import { h } from './api.js'
import { clockTime } from './format.js'
import { type WaterfallRow, keptBecause, waterfallRows } from './trace-layout.js'

/** How far each level of the tree is indented, in rem. */
const INDENT_REM = 0.9

/**
 * One span as a list item: its name, duration and notes as text (what a screen reader reads), and
 * beside them a bar placed by its start and duration, drawn for the eye only.
 */
function spanItem(row: WaterfallRow): HTMLLIElement {
  const { span } = row
  const failed = span.status === 'error'
  const label = h('div', { class: 'span-label' },
    h('span', { class: 'span-name' }, span.name),
    ' ',
    h('span', { class: 'span-duration' }, `${span.duration_ms.toFixed(1)} ms`),
    ...row.notes.map((note) => h('span', { class: note.startsWith('failed') ? 'span-note span-note-failed' : 'span-note' }, note)),
  )
  // Sizes from data are set through the CSSOM, which no style-src rule blocks: a stricter content
  // security policy (no 'unsafe-inline' styles) would leave the waterfall as it is.
  label.style.setProperty('padding-left', `${row.depth * INDENT_REM}rem`)
  const bar = h('div', { class: failed ? 'span-bar span-bar-failed' : 'span-bar' })
  bar.style.setProperty('left', `${row.leftPct}%`)
  bar.style.setProperty('width', `${row.widthPct}%`)
  if (row.dbPct !== null) {
    const db = h('div', { class: 'span-db' })
    db.style.setProperty('width', `${row.dbPct}%`)
    bar.append(db)
  }
  const markers = row.events.map((event) => {
    const marker = h('div', { class: 'span-event' })
    marker.style.setProperty('left', `${event.atPct}%`)
    return marker
  })
  const track = h('div', { 'class': 'span-track', 'aria-hidden': 'true' }, bar, ...markers)
  const item = h('li', { 'class': failed ? 'span-row span-row-failed' : 'span-row', 'data-span-name': span.name, 'data-kind': span.kind }, label, track)
  if (row.events.length > 0) {
    const events = h('ul', { class: 'span-events' }, ...row.events.map((event) => h('li', {}, event.text)))
    events.style.setProperty('padding-left', `${row.depth * INDENT_REM + 1}rem`)
    item.append(events)
  }
  return item
}

/** Draws `trace` into `container` as a waterfall: a heading that names the page, then one row per span. */
export function drawWaterfall(container: HTMLElement, trace: PageTrace): void {
  const time = clockTime(new Date(trace.started_at))
  const facts = [
    `${trace.duration_ms.toFixed(1)} ms`,
    keptBecause(trace),
    ...(trace.degraded.length > 0 ? [`missing ${trace.degraded.join(', ')}`] : []),
    ...(trace.request_id === null ? [] : [`request ${trace.request_id}`]),
  ]
  const rows = waterfallRows(trace)
  container.replaceChildren(
    h('h3', { id: 'waterfall-heading' }, `${trace.name} at ${time}`),
    h('p', { class: 'muted' }, facts.join(' · ')),
    h('ol', { 'class': 'waterfall-rows', 'aria-labelledby': 'waterfall-heading', 'data-trace-id': trace.trace_id }, ...rows.map(spanItem)),
    ...(trace.dropped_spans > 0 ? [h('p', { class: 'muted' }, `${trace.dropped_spans} more spans were not kept.`)] : []),
  )
  container.hidden = false
}
