import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
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

/** The optional kustomize components under deploy/k8s/components, rendered and checked on top of each overlay. */
export const COMPONENTS = ['tracing'] as const

/** One of {@link COMPONENTS}. */
export type Component = (typeof COMPONENTS)[number]

/** The namespace the overlays deploy to. */
export const NAMESPACE = 'storefront'

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

/**
 * Renders an overlay with `kubectl kustomize`, offline, and parses what it prints. With
 * `components`, renders it as an overlay of its own that lists them under `components:` would be:
 * a kustomization in a temporary folder (kustomize takes only relative paths to other folders).
 */
export function renderOverlay(overlay: Overlay, components: readonly Component[] = []): KubeObject[] {
  const kustomize = (folder: string): KubeObject[] =>
    parseManifests(execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))
  if (components.length === 0) {
    return kustomize(`${deployDir}k8s/${overlay}`)
  }
  const folder = mkdtempSync(join(tmpdir(), 'storefront-kustomize-'))
  try {
    const k8s = relative(folder, `${deployDir}k8s`)
    writeFileSync(join(folder, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `namespace: ${NAMESPACE}`,
      'resources:',
      `  - ${k8s}/${overlay}`,
      'components:',
      ...components.map((component) => `  - ${k8s}/components/${component}`),
      '',
    ].join('\n'))
    return kustomize(folder)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** `dev`, or `dev with tracing`: how checks and tests name an overlay and the components added to it. */
export function describeRendering(overlay: Overlay, components: readonly Component[] = []): string {
  return components.length === 0 ? overlay : `${overlay} with ${components.join(', ')}`
}
