import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec'

import { type KubeObject, describeObject } from './manifests.js'
import { parseQuantity } from './quantity.js'

/** A Deployment or StatefulSet: something that runs pods from a template. */
export type Workload = (IDeployment | IStatefulSet) & KubeObject

/** The Deployments and StatefulSets among `objects`. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects.filter((object): object is Workload => object.apiVersion === 'apps/v1' && (object.kind === 'Deployment' || object.kind === 'StatefulSet'))
}

/** Environment variables that hold secrets: each must come from a Secret, never be written in a manifest. */
const SECRET_VARIABLE = /(TOKEN|SECRET|PASSWORD|DATABASE_URL)$/

/**
 * The rules every pod of the Storefront keeps, whatever runs in it:
 * - no host namespaces, no service account token, a non-root numeric user, the runtime's seccomp
 *   profile;
 * - in every container: a read-only root filesystem (with an emptyDir at /tmp, the one writable
 *   place), no privilege escalation, every capability dropped, CPU and memory requests and limits
 *   (limits at least the requests), an image pinned to a tag other than `latest` or to a digest,
 *   and secrets only through `valueFrom`;
 * - in every long-running container: startup, readiness and liveness probes.
 * Deployments, which run the Storefront's own processes, also keep {@link checkStorefrontProcess}.
 */
export function checkWorkloads(objects: readonly KubeObject[]): string[] {
  const problems: string[] = []
  for (const workload of workloadsOf(objects)) {
    const spec = workload.spec?.template.spec
    if (spec === undefined) {
      problems.push(`${describeObject(workload)}: has no pod template`)
      continue
    }
    const report = (problem: string): void => {
      problems.push(`${describeObject(workload)}: ${problem}`)
    }
    checkPod(spec, report)
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      checkContainer(spec, container, (problem) => {
        report(`container ${container.name} ${problem}`)
      })
    }
    for (const container of spec.containers) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        if (container[probe] === undefined) {
          report(`container ${container.name} has no ${probe}`)
        }
      }
    }
    if (workload.kind === 'Deployment') {
      checkStorefrontProcess(spec, report)
    }
  }
  return problems
}

function checkPod(spec: IPodSpec, report: (problem: string) => void): void {
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) {
      report(`shares the node's namespaces (${field})`)
    }
  }
  if (spec.automountServiceAccountToken !== false) {
    report('mounts a service account token (set automountServiceAccountToken: false)')
  }
}

function checkContainer(pod: IPodSpec, container: IContainer, report: (problem: string) => void): void {
  const own = container.securityContext
  const shared = pod.securityContext
  if ((own?.runAsNonRoot ?? shared?.runAsNonRoot) !== true) {
    report('may run as root (runAsNonRoot is not true)')
  }
  const user = own?.runAsUser ?? shared?.runAsUser
  if (user === undefined || user === 0) {
    report('has no non-root numeric runAsUser')
  }
  const seccomp = (own?.seccompProfile ?? shared?.seccompProfile)?.type
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    report('has no seccomp profile (RuntimeDefault)')
  }
  if (own?.readOnlyRootFilesystem !== true) {
    report('has a writable root filesystem (readOnlyRootFilesystem is not true)')
  } else if (!mountsEmptyDirAtTmp(pod, container)) {
    report('has a read-only root filesystem but no emptyDir at /tmp')
  }
  if (own?.allowPrivilegeEscalation !== false) {
    report('may escalate privileges (allowPrivilegeEscalation is not false)')
  }
  if (own?.privileged === true) {
    report('is privileged')
  }
  if (!(own?.capabilities?.drop ?? []).includes('ALL') || (own?.capabilities?.add ?? []).length > 0) {
    report('keeps capabilities (drop ALL, add none)')
  }
  checkResources(container, report)
  if (!isPinnedImage(container.image)) {
    report(`runs an image that is not pinned to a tag or digest (${container.image ?? 'none'})`)
  }
  for (const variable of container.env ?? []) {
    if (SECRET_VARIABLE.test(variable.name) && variable.value !== undefined) {
      report(`takes ${variable.name} as a literal value; it must come from a Secret (valueFrom.secretKeyRef)`)
    }
  }
}

function mountsEmptyDirAtTmp(pod: IPodSpec, container: IContainer): boolean {
  const mount = (container.volumeMounts ?? []).find((candidate) => candidate.mountPath === '/tmp')
  return mount !== undefined && (pod.volumes ?? []).some((volume) => volume.name === mount.name && volume.emptyDir !== undefined)
}

function checkResources(container: IContainer, report: (problem: string) => void): void {
  const { requests, limits } = container.resources ?? {}
  for (const resource of ['cpu', 'memory'] as const) {
    const request = requests?.[resource]
    const limit = limits?.[resource]
    if (request === undefined) {
      report(`has no ${resource} request`)
    }
    if (limit === undefined) {
      report(`has no ${resource} limit`)
    }
    if (request !== undefined && limit !== undefined && parseQuantity(limit) < parseQuantity(request)) {
      report(`has a ${resource} limit (${limit}) below its request (${request})`)
    }
  }
}

/** True for `name:tag` with a tag other than `latest`, or `name@sha256:…`. */
export function isPinnedImage(image: string | undefined): boolean {
  if (image === undefined) {
    return false
  }
  if (/@sha256:[0-9a-f]{64}$/.test(image)) {
    return true
  }
  // The tag follows the last colon after the last slash (a registry's port comes before it).
  const lastPart = image.slice(image.lastIndexOf('/') + 1)
  const colon = lastPart.lastIndexOf(':')
  return colon > 0 && colon < lastPart.length - 1 && lastPart.slice(colon + 1) !== 'latest'
}

/**
 * What a Storefront process (products, inventory, favorites, cart, bff) adds: its probes ask the
 * kit's health routes on a port it declares (startup and liveness /health/live, readiness
 * /health/ready), and it stops gracefully: a preStop pause while endpoints drop the pod, then
 * SIGTERM, all within an explicit terminationGracePeriodSeconds longer than the pause.
 */
function checkStorefrontProcess(spec: IPodSpec, report: (problem: string) => void): void {
  for (const container of spec.containers) {
    const expected: readonly (readonly [keyof IContainer & `${string}Probe`, string])[] = [
      ['startupProbe', '/health/live'],
      ['readinessProbe', '/health/ready'],
      ['livenessProbe', '/health/live'],
    ]
    for (const [field, path] of expected) {
      const probe = container[field]
      if (probe === undefined) {
        continue
      }
      if (probe.httpGet?.path !== path) {
        report(`container ${container.name} ${field} does not ask ${path}`)
      } else if (!declaresPort(container, probe.httpGet.port)) {
        report(`container ${container.name} ${field} asks port ${String(probe.httpGet.port)}, which the container does not declare`)
      }
    }
    const preStop = container.lifecycle?.preStop
    if (preStop === undefined) {
      report(`container ${container.name} has no preStop pause, so it may stop while still receiving traffic`)
      continue
    }
    const pauseSeconds = preStop.sleep?.seconds ?? 0
    if (spec.terminationGracePeriodSeconds === undefined) {
      report('has no explicit terminationGracePeriodSeconds')
    } else if (spec.terminationGracePeriodSeconds <= pauseSeconds) {
      report(`gives ${spec.terminationGracePeriodSeconds} s to stop, no more than its ${pauseSeconds} s preStop pause`)
    }
  }
}

function declaresPort(container: IContainer, port: number | string): boolean {
  return (container.ports ?? []).some((declared) => declared.containerPort === port || declared.name === port)
}
