import type { Problem } from './api-types.js'

/** A request the BFF answered with an error status. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | undefined
  /** Seconds the BFF asked to wait, from `retry-after`. */
  readonly retryAfterS: number | undefined

  constructor(status: number, problem: Problem | undefined, retryAfterS: number | undefined) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.retryAfterS = retryAfterS
  }
}

/**
 * Calls the BFF on the page's own origin, sending the session cookie, and returns the parsed JSON
 * (undefined for a 204). Rejects with {@link ApiError} on an error status, and with a `TypeError`
 * when the network fails.
 */
export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!response.ok) {
    let problem: Problem | undefined
    try {
      problem = (await response.json()) as Problem
    } catch {
      problem = undefined
    }
    const retryAfter = Number(response.headers.get('retry-after'))
    throw new ApiError(response.status, problem, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T)
}

/** `document.querySelector` that fails loudly when the page lacks an element it is built with, or has another kind. */
export function required<E extends Element>(selector: string, kind: abstract new () => E, root: ParentNode = document): E {
  const element = root.querySelector(selector)
  if (!(element instanceof kind)) {
    throw new Error(`The page has no ${kind.name} ${selector}`)
  }
  return element
}

/** Creates an element with attributes and children; text is set as text, never parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) {
      element.setAttribute(name, '')
    } else if (value !== false) {
      element.setAttribute(name, value)
    }
  }
  element.append(...children)
  return element
}
