import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IService } from 'kubernetes-models/v1/Service'

import { matchesSelector } from './label-selector.js'
import type { KubeObject } from './manifests.js'
import { workloadsOf } from './workload-policy.js'

type Of<T> = T & KubeObject

/**
 * What each Storefront process needs around its Deployment: a HorizontalPodAutoscaler on CPU that
 * owns its replica count (so the Deployment sets none), a PodDisruptionBudget and a Service that
 * select its pods, the Service headless for the four services (so the BFF's client sees every
 * pod) and a normal one for the BFF. And no Secret among the manifests: secrets are created in the
 * cluster, never committed.
 */
export function checkStorefrontObjects(objects: readonly KubeObject[]): string[] {
  const problems: string[] = []
  const deployments = new Map(workloadsOf(objects).filter((workload) => workload.kind === 'Deployment').map((workload) => [workload.metadata.name, workload]))
  const autoscalers = objects.filter((object): object is Of<IHorizontalPodAutoscaler> => object.kind === 'HorizontalPodAutoscaler')
  const budgets = objects.filter((object): object is Of<IPodDisruptionBudget> => object.kind === 'PodDisruptionBudget')
  const services = objects.filter((object): object is Of<IService> => object.kind === 'Service')

  for (const secret of objects.filter((object) => object.kind === 'Secret')) {
    problems.push(`Secret ${secret.metadata.name} is written in the manifests; create it in the cluster instead`)
  }
  for (const name of [...STOREFRONT_SERVICES, 'bff']) {
    const deployment = deployments.get(name)
    if (deployment === undefined) {
      problems.push(`Deployment ${name} is missing`)
      continue
    }
    const labels = deployment.spec?.template.metadata?.labels ?? {}
    const autoscaler = autoscalers.find((candidate) => candidate.spec.scaleTargetRef.kind === 'Deployment' && candidate.spec.scaleTargetRef.name === name)
    if (autoscaler === undefined) {
      problems.push(`Deployment ${name} has no HorizontalPodAutoscaler`)
    } else if (!(autoscaler.spec.metrics ?? []).some((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu')) {
      problems.push(`HorizontalPodAutoscaler ${autoscaler.metadata.name} does not scale on CPU`)
    } else if (deployment.spec?.replicas !== undefined) {
      problems.push(`Deployment ${name} sets replicas, which its HorizontalPodAutoscaler owns`)
    }
    if (!budgets.some((budget) => budget.spec?.selector !== undefined && matchesSelector(budget.spec.selector, labels))) {
      problems.push(`Deployment ${name} has no PodDisruptionBudget selecting its pods`)
    }
    const service = services.find((candidate) => candidate.metadata.name === name)
    if (service === undefined || !matchesSelector({ matchLabels: service.spec?.selector ?? {} }, labels) || Object.keys(service.spec?.selector ?? {}).length === 0) {
      problems.push(`Deployment ${name} has no Service ${name} selecting its pods`)
    } else if (name === 'bff' && service.spec?.clusterIP === 'None') {
      problems.push('Service bff is headless; the BFF needs one address for its clients')
    } else if (name !== 'bff' && service.spec?.clusterIP !== 'None') {
      problems.push(`Service ${name} is not headless (clusterIP: None), so the BFF would see one address instead of every pod`)
    }
  }
  return problems
}

/** A secret a pod reads: its name and key, and who reads it. */
export interface SecretReference {
  readonly name: string
  readonly key: string
  readonly readBy: string
}

/** Every `secretKeyRef` of every pod template, in the order they appear. */
export function secretReferences(objects: readonly KubeObject[]): SecretReference[] {
  return workloadsOf(objects).flatMap((workload) =>
    (workload.spec?.template.spec?.containers ?? []).flatMap((container) =>
      (container.env ?? []).flatMap((variable) => {
        const reference = variable.valueFrom?.secretKeyRef
        return reference === undefined ? [] : [{ name: reference.name ?? '', key: reference.key, readBy: workload.metadata.name }]
      })))
}
