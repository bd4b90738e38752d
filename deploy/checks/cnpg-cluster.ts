import { type KubeObject, describeObject } from './manifests.js'

/**
 * CloudNativePG's `Cluster` (postgresql.cnpg.io/v1). No npm package ships its CRD schema, so the
 * fields these manifests use are checked here by hand, against the CRD's v1 schema: `spec` and
 * `spec.instances` are required, instances is an integer of at least 1, and the keys below are the
 * ones the CRD defines at each level we use (spec, storage, bootstrap.initdb, inheritedMetadata).
 */
export interface CnpgCluster extends KubeObject {
  readonly apiVersion: 'postgresql.cnpg.io/v1'
  readonly kind: 'Cluster'
  readonly spec?: unknown
}

/** True for a CloudNativePG `Cluster`. */
export function isCnpgCluster(object: KubeObject): object is CnpgCluster {
  return object.apiVersion === 'postgresql.cnpg.io/v1' && object.kind === 'Cluster'
}

const SPEC_FIELDS = new Set([
  'affinity', 'backup', 'bootstrap', 'certificates', 'description', 'enablePDB', 'enableSuperuserAccess', 'env', 'envFrom',
  'ephemeralVolumeSource', 'ephemeralVolumesSizeLimit', 'externalClusters', 'failoverDelay', 'imageCatalogRef', 'imageName',
  'imagePullPolicy', 'imagePullSecrets', 'inheritedMetadata', 'instances', 'livenessProbeTimeout', 'logLevel', 'managed',
  'maxSyncReplicas', 'minSyncReplicas', 'monitoring', 'nodeMaintenanceWindow', 'plugins', 'podSecurityContext', 'podSelectorRefs',
  'postgresGID', 'postgresUID', 'postgresql', 'primaryLease', 'primaryUpdateMethod', 'primaryUpdateStrategy', 'priorityClassName',
  'probes', 'projectedVolumeTemplate', 'replica', 'replicationSlots', 'resources', 'schedulerName', 'seccompProfile',
  'securityContext', 'serviceAccountName', 'serviceAccountTemplate', 'smartShutdownTimeout', 'startDelay', 'stopDelay', 'storage',
  'superuserSecret', 'switchoverDelay', 'tablespaces', 'topologySpreadConstraints', 'walStorage',
])
const STORAGE_FIELDS = new Set(['pvcTemplate', 'resizeInUseVolumes', 'size', 'storageClass'])
const INITDB_FIELDS = new Set([
  'builtinLocale', 'dataChecksums', 'database', 'encoding', 'icuLocale', 'icuRules', 'import', 'locale', 'localeCType',
  'localeCollate', 'localeProvider', 'options', 'owner', 'postInitApplicationSQL', 'postInitApplicationSQLRefs', 'postInitSQL',
  'postInitSQLRefs', 'postInitTemplateSQL', 'postInitTemplateSQLRefs', 'secret', 'walSegmentSize',
])
const BOOTSTRAP_FIELDS = new Set(['initdb', 'pg_basebackup', 'recovery'])
const METADATA_FIELDS = new Set(['annotations', 'labels'])
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/

type Fields = Readonly<Record<string, unknown>>

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * When `value` is set: a problem unless it is an object with only `known` keys; then `inside`
 * checks its fields.
 */
function checkSection(problems: string[], value: unknown, path: string, known: ReadonlySet<string>, inside?: (fields: Fields) => void): void {
  if (value === undefined) {
    return
  }
  if (!isFields(value)) {
    problems.push(`${path} must be an object`)
    return
  }
  for (const key of Object.keys(value).filter((candidate) => !known.has(candidate))) {
    problems.push(`${path}.${key} is not a field of the Cluster CRD`)
  }
  inside?.(value)
}

/** The problems of one Cluster against the CRD's rules above; empty when it passes. */
export function checkCnpgCluster(cluster: CnpgCluster): string[] {
  const problems: string[] = []
  if (!isFields(cluster.spec)) {
    return [`${describeObject(cluster)}: spec is required`]
  }
  checkSection(problems, cluster.spec, 'spec', SPEC_FIELDS, ({ instances, imageName, storage, bootstrap, inheritedMetadata }) => {
    if (typeof instances !== 'number' || !Number.isInteger(instances) || instances < 1) {
      problems.push('spec.instances is required: an integer of at least 1')
    }
    if (imageName !== undefined && typeof imageName !== 'string') {
      problems.push('spec.imageName must be a string')
    }
    checkSection(problems, storage, 'spec.storage', STORAGE_FIELDS, ({ size }) => {
      if (size !== undefined && (typeof size !== 'string' || !QUANTITY.test(size))) {
        problems.push('spec.storage.size must be a quantity such as 10Gi')
      }
    })
    checkSection(problems, bootstrap, 'spec.bootstrap', BOOTSTRAP_FIELDS, ({ initdb }) => {
      checkSection(problems, initdb, 'spec.bootstrap.initdb', INITDB_FIELDS, (fields) => {
        for (const key of ['database', 'owner'] as const) {
          if (fields[key] !== undefined && typeof fields[key] !== 'string') {
            problems.push(`spec.bootstrap.initdb.${key} must be a string`)
          }
        }
      })
    })
    checkSection(problems, inheritedMetadata, 'spec.inheritedMetadata', METADATA_FIELDS, (fields) => {
      for (const key of METADATA_FIELDS) {
        const map = fields[key]
        if (map !== undefined && (!isFields(map) || Object.values(map).some((value) => typeof value !== 'string'))) {
          problems.push(`spec.inheritedMetadata.${key} must map strings to strings`)
        }
      }
    })
  })
  return problems.map((problem) => `${describeObject(cluster)}: ${problem}`)
}
