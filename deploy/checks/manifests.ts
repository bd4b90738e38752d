import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { parseAllDocuments } from 'yaml'

/** A Kubernetes object as rendered: only the type and identity are known before its schema is checked. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: {
    readonly name: string
    readonly namespace?: string
    readonly labels?: Readonly<Record<string, string>>
  }
  readonly [field: string]: unknown
}

/** The overlays under deploy/k8s that are rendered and checked. */
export const OVERLAYS = ['dev', 'prod'] as const

/** One of {@link OVERLAYS}. */
export type Overlay = (typeof OVERLAYS)[number]

/** The deploy folder, whatever the working directory. */
const deployDir = fileURLToPath(new URL('../', import.meta.url))

/** `<kind> <name>`, as problems name an object. */
export function describeObject(object: KubeObject): string {
  return `${object.kind} ${object.metadata.name}`
}

/**
 * Parses a stream of YAML documents into Kubernetes objects. A document that is not YAML, or not
 * an object with apiVersion, kind and metadata.name, throws naming its position.
 */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = []
  for (const [index, document] of parseAllDocuments(text).entries()) {
    if (document.errors.length > 0) {
      throw new Error(`document ${index + 1}: ${document.errors.map((error) => error.message).join('; ')}`)
    }
    const value: unknown = document.toJS()
    if (value === null) {
      continue
    }
    if (!isKubeObject(value)) {
      throw new Error(`document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata.name)`)
    }
    objects.push(value)
  }
  return objects
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) {
    return false
  }
  const { apiVersion, kind, metadata } = value as Record<string, unknown>
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof metadata === 'object' && metadata !== null &&
    typeof (metadata as Record<string, unknown>).name === 'string'
}

/** True when `kubectl` (with kustomize built in) can be run. */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Renders an overlay with `kubectl kustomize`, offline, and parses what it prints. */
export function renderOverlay(overlay: Overlay): KubeObject[] {
  const output = execFileSync('kubectl', ['kustomize', `${deployDir}k8s/${overlay}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return parseManifests(output)
}
