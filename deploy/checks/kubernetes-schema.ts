import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1'

import { checkCnpgCluster, isCnpgCluster } from './cnpg-cluster.js'
import { type KubeObject, describeObject } from './manifests.js'

/** A kubernetes-models class: built from an object, it checks it against the Kubernetes OpenAPI schema. */
type ModelClass = new (data: never) => { validate(): void }

/** The kinds the manifests may use, each with the schema of its API version. */
const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/ConfigMap', ConfigMap],
  ['v1/Namespace', Namespace],
  ['v1/PersistentVolumeClaim', PersistentVolumeClaim],
  ['v1/Secret', Secret],
  ['v1/Service', Service],
  ['v1/ServiceAccount', ServiceAccount],
  ['apps/v1/Deployment', Deployment],
  ['apps/v1/StatefulSet', StatefulSet],
  ['autoscaling/v2/HorizontalPodAutoscaler', HorizontalPodAutoscaler],
  ['networking.k8s.io/v1/Ingress', Ingress],
  ['networking.k8s.io/v1/NetworkPolicy', NetworkPolicy],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
])

/**
 * Checks every object against its schema: the built-in kinds against the Kubernetes OpenAPI schema
 * (the kubernetes-models validators: types, required fields, enums and formats; fields the schema
 * does not know are not reported), CloudNativePG clusters against {@link checkCnpgCluster}. A kind
 * with no schema here is a problem in itself, so nothing goes unchecked.
 */
export function checkKubernetesSchemas(objects: readonly KubeObject[]): string[] {
  const problems: string[] = []
  for (const object of objects) {
    if (isCnpgCluster(object)) {
      problems.push(...checkCnpgCluster(object))
      continue
    }
    const Model = MODELS.get(`${object.apiVersion}/${object.kind}`)
    if (Model === undefined) {
      problems.push(`${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind}`)
      continue
    }
    try {
      new Model(object as never).validate()
    } catch (error) {
      problems.push(`${describeObject(object)}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return problems
}
