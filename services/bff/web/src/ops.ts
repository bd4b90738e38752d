import type { DownstreamStats, FaultSettings, OpsFaults, OpsStats, ReplicaStats } from './api-types.js'
import { ApiError, api, h, required } from './api.js'
import { clockTime, groupThousands } from './format.js'
import { refreshSlowPages } from './slow-pages.js'

type Faults = OpsFaults['faults']

/** The fault presets a person can switch on, per downstream. */
const PRESETS: readonly { label: string; settings: FaultSettings }[] = [
  { label: 'Fail every call', settings: { delay_ms: null, error_rate: 1 } },
  { label: 'Slow: 0–5 s', settings: { delay_ms: '0-5000', error_rate: 0 } },
  { label: 'Clear faults', settings: { delay_ms: null, error_rate: 0 } },
]

const POLL_MS = 1000
const TRAFFIC_PER_S = 5

const elements = {
  panels: required('#panels', HTMLElement),
  cacheRows: required('#cache-rows', HTMLTableSectionElement),
  admission: required('#admission-figures', HTMLElement),
  updated: required('#updated', HTMLElement),
  error: required('#ops-error', HTMLElement),
  faultNote: required('#fault-note', HTMLElement),
  traffic: required('#traffic', HTMLInputElement),
  tokenForm: required('#ops-token-form', HTMLFormElement),
  token: required('#ops-token', HTMLInputElement),
}

/** Where the operator token lives: this tab only, gone when it closes. */
const TOKEN_KEY = 'storefront.ops-token'

/**
 * The headers of a call to the operator routes: the operator token, once one was entered. Outside
 * demo mode on loopback those routes answer only with it.
 */
function opsHeaders(): Record<string, string> {
  const token = window.sessionStorage.getItem(TOKEN_KEY)
  return token === null ? {} : { authorization: `Bearer ${token}` }
}

/** True for the BFF asking for the operator token (none sent, or a wrong one). */
function isTokenRefusal(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 403) && (error.problem?.code ?? '').startsWith('BFF_ERR_OPS_TOKEN')
}

/** Panels by downstream, built once and updated in place so focus and screen readers are not disturbed. */
const panels = new Map<string, { root: HTMLElement; state: HTMLElement; figures: HTMLElement; replicas: HTMLElement; sparkline: SVGSVGElement; faultState: HTMLElement }>()
let faults: Faults = {}
let trafficTimer: number | undefined

async function poll(): Promise<void> {
  try {
    const stats = await api<OpsStats>('GET', '/ops/stats', undefined, opsHeaders())
    elements.error.hidden = true
    hideTokenForm()
    elements.faultNote.hidden = stats.fault_control
    for (const [name, downstream] of Object.entries(stats.downstreams)) {
      render(name, downstream, stats)
    }
    renderCache(stats.cache)
    const admission = `${stats.pages.inflight} of at most ${stats.pages.limit} (the limit adapts to latency); ${groupThousands(stats.pages.shed)} shed since start`
    if (elements.admission.textContent !== admission) {
      elements.admission.textContent = admission
    }
    elements.updated.textContent = `Updated ${clockTime(new Date())}; figures over the last ${stats.window_s} s`
    await refreshSlowPages(opsHeaders())
  } catch (error) {
    elements.error.hidden = false
    if (isTokenRefusal(error)) {
      elements.tokenForm.hidden = false
      elements.error.textContent = `${(error as ApiError).message} Enter it below.`
    } else {
      elements.error.textContent = `The BFF did not answer: ${error instanceof ApiError ? error.message : 'connection failed'}. Retrying…`
    }
  } finally {
    window.setTimeout(() => {
      void poll()
    }, POLL_MS)
  }
}

/**
 * Hides the token form once a poll went through. If focus was in it (the token just entered),
 * focus moves to the panels the token opened, rather than to the top of the page.
 */
function hideTokenForm(): void {
  if (elements.tokenForm.hidden) {
    return
  }
  const focusWasInForm = elements.tokenForm.contains(document.activeElement)
  elements.tokenForm.hidden = true
  if (focusWasInForm) {
    elements.panels.focus()
  }
}

function render(name: string, stats: DownstreamStats, all: OpsStats): void {
  let panel = panels.get(name)
  if (panel === undefined) {
    panel = createPanel(name, all.fault_control)
    panels.set(name, panel)
    // In its placeholder's place, which the page reserved from its first paint: nothing below moves.
    const placeholder = elements.panels.querySelector(`[data-placeholder="${name}"]`)
    if (placeholder === null) {
      elements.panels.append(panel.root)
    } else {
      placeholder.replaceWith(panel.root)
    }
  }
  panel.state.textContent = stats.state
  panel.state.className = `state state-${stats.state}`
  panel.root.dataset.state = stats.state
  renderFigures(panel.figures, [
    ['Requests', `${stats.rate_per_s.toFixed(1)}/s`],
    ['Errors', `${(stats.error_rate * 100).toFixed(0)}%`],
    ['p50', stats.p50_ms === null ? '–' : `${stats.p50_ms.toFixed(1)} ms`],
    ['p99', stats.p99_ms === null ? '–' : `${stats.p99_ms.toFixed(1)} ms`],
    ...(stats.limit === undefined ? [] : [['Limit', `${stats.limit} (${stats.inflight ?? 0} in flight)`] as const]),
    // Shown only while the throttle refuses some calls: a steady 0% would be noise.
    ...(stats.throttle_probability !== undefined && stats.throttle_probability > 0 ? [['Throttled', `${(stats.throttle_probability * 100).toFixed(0)}%`] as const] : []),
  ])
  renderReplicas(panel.replicas, stats.replicas)
  drawSparkline(panel.sparkline, stats)
  const current = faults[name]
  panel.faultState.textContent = current === undefined
    ? ''
    : 'unavailable' in current
      ? `Faults: ${current.unavailable}`
      : `Faults: ${current.delay_ms === null ? 'no delay' : `delay ${current.delay_ms} ms`}, ${(current.error_rate * 100).toFixed(0)}% errors`
}

function createPanel(name: string, faultControl: boolean) {
  const state = h('span', { class: 'state' })
  const figures = h('dl', { class: 'figures' })
  const replicas = h('ul', { 'class': 'replicas', 'aria-label': `${name} replicas` })
  const sparkline = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  sparkline.setAttribute('class', 'sparkline')
  sparkline.setAttribute('viewBox', '0 0 120 48')
  sparkline.setAttribute('preserveAspectRatio', 'none')
  sparkline.setAttribute('role', 'img')
  sparkline.setAttribute('aria-label', `${name}: p99 latency and errors over the last minute`)
  const faultState = h('p', { class: 'muted' })
  // The downstream's name, visually hidden, makes each name unique: "Fail every call on products".
  const buttons = PRESETS.map((preset) => {
    const button = h('button', { type: 'button', class: 'secondary', disabled: !faultControl }, preset.label, h('span', { class: 'visually-hidden' }, ` on ${name}`))
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-disabled') !== 'true') {
        void setFaults(name, preset.settings, button)
      }
    })
    return button
  })
  const root = h('section', { 'class': 'panel', 'aria-labelledby': `panel-${name}`, 'data-downstream': name },
    h('h3', { id: `panel-${name}` }, name, state),
    figures,
    replicas,
    sparkline,
    faultState,
    h('div', { class: 'faults' }, ...buttons),
  )
  return { root, state, figures, replicas, sparkline, faultState }
}

/** Fills the rows of the cache table in place (built by the page, so nothing shifts as it fills). */
function renderCache(cache: OpsStats['cache']): void {
  for (const name of ['catalogue', 'stock'] as const) {
    const counts = cache[name]
    const row = elements.cacheRows.querySelector(`tr[data-cache="${name}"]`)
    const cells = row === null ? [] : [...row.querySelectorAll('td')]
    const ageMs = 'age_ms' in counts ? counts.age_ms : undefined
    const age = ageMs === undefined ? '–' : ageMs === null ? 'nothing served yet' : `${(ageMs / 1000).toFixed(1)} s`
    const values = [counts.hits, counts.misses, counts.coalesced, counts.stale_served].map(groupThousands)
    for (const [index, text] of [...values, age].entries()) {
      const cell = cells[index]
      if (cell !== undefined && cell.textContent !== text) {
        cell.textContent = text
      }
    }
  }
}

/**
 * One line per replica: its address and whether it takes calls. Rewritten only when something
 * changed, so a screen reader is not told the same list every second.
 */
function renderReplicas(list: HTMLElement, replicas: readonly ReplicaStats[]): void {
  const lines = replicas.map((replica) => {
    const host = replica.origin.replace(/^https?:\/\//, '')
    return replica.state === 'ejected' ? `${host}: ejected, back in ${Math.ceil(replica.ejected_for_ms / 1000)} s` : `${host}: ${replica.state}`
  })
  if (list.dataset.lines === lines.join('\n')) {
    return
  }
  list.dataset.lines = lines.join('\n')
  list.replaceChildren(...replicas.map((replica, index) => h('li', { 'class': `replica replica-${replica.state}`, 'data-state': replica.state }, lines[index] ?? '')))
}

/**
 * Shows the figures as label and value pairs, rewritten only when one changed: a poll that brings
 * the same figures (a quiet shop) costs the page no style or layout work.
 */
function renderFigures(list: HTMLElement, figures: readonly (readonly [string, string])[]): void {
  const key = figures.map(([label, value]) => `${label}=${value}`).join('\n')
  if (list.dataset.figures === key) {
    return
  }
  list.dataset.figures = key
  list.replaceChildren(...figures.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]))
}

/** p99 latency (blue, scaled to the minute's worst) and error rate (red, 0–100%) per second. */
function drawSparkline(svg: SVGSVGElement, stats: DownstreamStats): void {
  const points = stats.series
  const worst = Math.max(1, ...points.map((point) => point.p99_ms ?? 0))
  const x = (index: number): number => (index / Math.max(1, points.length - 1)) * 120
  const latency = points.map((point, index) => `${x(index).toFixed(1)},${(46 - ((point.p99_ms ?? 0) / worst) * 44).toFixed(1)}`).join(' ')
  const errors = points.map((point, index) => `${x(index).toFixed(1)},${(46 - point.error_rate * 44).toFixed(1)}`).join(' ')
  // The two lines are made once and then moved: a poll with the same points changes nothing.
  for (const [className, pointsText] of [['latency', latency], ['errors', errors]] as const) {
    let polyline = svg.querySelector<SVGPolylineElement>(`polyline.${className}`)
    if (polyline === null) {
      polyline = document.createElementNS('http://www.w3.org/2000/svg', 'polyline')
      polyline.setAttribute('class', className)
      svg.append(polyline)
    }
    if (polyline.getAttribute('points') !== pointsText) {
      polyline.setAttribute('points', pointsText)
    }
  }
}

async function loadFaults(): Promise<void> {
  try {
    faults = (await api<OpsFaults>('GET', '/ops/faults', undefined, opsHeaders())).faults
  } catch {
    faults = {}
  }
}

/**
 * Sets a downstream's faults. The button is marked busy with `aria-disabled`, not `disabled`, which
 * would take focus from a keyboard user who just pressed it.
 */
async function setFaults(name: string, settings: FaultSettings, button: HTMLButtonElement): Promise<void> {
  button.setAttribute('aria-disabled', 'true')
  try {
    const applied = await api<FaultSettings>('PUT', `/ops/faults/${name}`, settings, opsHeaders())
    faults = { ...faults, [name]: applied }
  } catch (error) {
    elements.error.hidden = false
    elements.error.textContent = `Could not change faults on ${name}: ${error instanceof ApiError ? error.message : 'connection failed'}.`
  } finally {
    button.removeAttribute('aria-disabled')
  }
}

/** Page requests from this tab, so the figures move (and breakers react) without another client. */
function toggleTraffic(on: boolean): void {
  window.clearInterval(trafficTimer)
  if (on) {
    trafficTimer = window.setInterval(() => {
      void fetch('/products/all', { credentials: 'same-origin' }).catch(() => undefined)
    }, 1000 / TRAFFIC_PER_S)
  }
}

elements.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault()
  window.sessionStorage.setItem(TOKEN_KEY, elements.token.value.trim())
  elements.token.value = ''
  // The form stays until the next poll says whether the token works: a refused one leaves the
  // operator where they can type another.
  void loadFaults()
})

elements.traffic.addEventListener('change', () => {
  toggleTraffic(elements.traffic.checked)
})
void loadFaults().then(() => poll())
