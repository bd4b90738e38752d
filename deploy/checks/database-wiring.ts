import { STOREFRONT_SERVICES } from '@storefront/service-kit'

import { isCnpgCluster } from './cnpg-cluster.js'
import type { KubeObject, Overlay } from './manifests.js'
import { isPinnedImage, workloadsOf } from './workload-policy.js'

/** The PostgreSQL major version every overlay runs, as compose.yaml and the embedded server do. */
const POSTGRES_MAJOR = '18'

interface ClusterSpec {
  readonly instances?: unknown
  readonly imageName?: unknown
  readonly bootstrap?: { readonly initdb?: { readonly database?: unknown; readonly owner?: unknown } }
}

/**
 * Each service reads DATABASE_URL from the secret `<service>-db-app`, key `uri`.
 * - prod: CloudNativePG writes that secret for the cluster `<service>-db`, which must exist with
 *   three instances, a pinned PostgreSQL 18 image, and the service's name as its database and owner;
 *   no StatefulSet stands in for it.
 * - dev: one PostgreSQL 18 StatefulSet `postgres` holds the four databases and takes each role's
 *   password from the same secret (key `password`); no CloudNativePG cluster is needed.
 */
export function checkDatabases(objects: readonly KubeObject[], overlay: Overlay): string[] {
  const problems: string[] = []
  const workloads = workloadsOf(objects)
  const clusters = objects.filter(isCnpgCluster)
  const statefulSets = workloads.filter((workload) => workload.kind === 'StatefulSet')
  for (const service of STOREFRONT_SERVICES) {
    const secret = `${service}-db-app`
    const container = workloads.find((workload) => workload.kind === 'Deployment' && workload.metadata.name === service)?.spec?.template.spec?.containers[0]
    const reference = container?.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef
    if (reference?.name !== secret || reference.key !== 'uri') {
      problems.push(`Deployment ${service} does not read DATABASE_URL from secret ${secret}, key uri`)
    }
  }
  if (overlay === 'prod') {
    for (const statefulSet of statefulSets) {
      problems.push(`StatefulSet ${statefulSet.metadata.name} runs in prod, where CloudNativePG clusters hold the databases`)
    }
    for (const service of STOREFRONT_SERVICES) {
      const name = `${service}-db`
      const cluster = clusters.find((candidate) => candidate.metadata.name === name)
      if (cluster === undefined) {
        problems.push(`Cluster ${name} is missing`)
        continue
      }
      const spec = (cluster.spec ?? {}) as ClusterSpec
      if (spec.instances !== 3) {
        problems.push(`Cluster ${name} does not run three instances`)
      }
      if (typeof spec.imageName !== 'string' || !isPinnedImage(spec.imageName) || !spec.imageName.includes(`:${POSTGRES_MAJOR}.`)) {
        problems.push(`Cluster ${name} does not run a pinned PostgreSQL ${POSTGRES_MAJOR} image`)
      }
      if (spec.bootstrap?.initdb?.database !== service || spec.bootstrap.initdb.owner !== service) {
        problems.push(`Cluster ${name} does not make database ${service} owned by role ${service}`)
      }
    }
  } else {
    for (const cluster of clusters) {
      problems.push(`Cluster ${cluster.metadata.name} is in dev, where one PostgreSQL StatefulSet holds the databases`)
    }
    const postgres = statefulSets.find((workload) => workload.metadata.name === 'postgres')?.spec?.template.spec?.containers[0]
    if (postgres === undefined) {
      return [...problems, 'StatefulSet postgres is missing']
    }
    if (!isPinnedImage(postgres.image) || !(postgres.image ?? '').startsWith(`postgres:${POSTGRES_MAJOR}.`)) {
      problems.push(`StatefulSet postgres does not run a pinned postgres:${POSTGRES_MAJOR} image`)
    }
    for (const service of STOREFRONT_SERVICES) {
      const variable = `${service.toUpperCase()}_DB_PASSWORD`
      const reference = postgres.env?.find((candidate) => candidate.name === variable)?.valueFrom?.secretKeyRef
      if (reference?.name !== `${service}-db-app` || reference.key !== 'password') {
        problems.push(`StatefulSet postgres does not read ${variable} from secret ${service}-db-app, key password`)
      }
    }
  }
  return problems
}
