import { readFileSync } from 'node:fs'

import { type Component, type KubeObject, type Overlay, hasKubectl, renderOverlay } from '../checks/manifests.js'

/** Whether the Kubernetes tests can render the overlays; without kubectl they are skipped, and say so. */
export const kubectlAvailable = hasKubectl()
if (!kubectlAvailable) {
  console.warn('[deploy] kubectl is not on PATH: the Kubernetes overlay tests are skipped (npm run validate:deploy fails without it).')
}

/** A file of the repository, as text. */
export function repositoryFile(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
}

const rendered = new Map<string, readonly KubeObject[]>()

/**
 * A fresh copy of an overlay as kustomize renders it, with `components` added (each rendering done
 * once per run), free to break.
 */
export function renderedCopy(overlay: Overlay, components: readonly Component[] = []): KubeObject[] {
  const key = [overlay, ...components].join('+')
  let objects = rendered.get(key)
  if (objects === undefined) {
    objects = renderOverlay(overlay, components)
    rendered.set(key, objects)
  }
  return structuredClone(objects) as KubeObject[]
}

/** A kind, told by a type guard: a kubernetes-models class (its static `is`), or one of ours. */
interface Kind<T> {
  readonly kind: string
  is(value: unknown): value is T
}

/** The object of that kind and name, typed, so that a test can break a field of it. */
export function objectNamed<T>(objects: readonly KubeObject[], kind: Kind<T>, name: string): T {
  const object = objects.find((candidate) => kind.is(candidate) && candidate.metadata.name === name)
  if (object === undefined) {
    throw new Error(`no ${kind.kind} ${name}`)
  }
  return object as T
}

/** `text` with `from` replaced by `to`, once; throws when `from` is not there, so no test breaks nothing. */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to)
  if (changed === text) {
    throw new Error(`nothing to replace: ${String(from)}`)
  }
  return changed
}
