import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { Service } from 'kubernetes-models/v1'
import { describe, expect, it } from 'vitest'

import { checkDatabases } from '../checks/database-wiring.js'
import { checkNetwork } from '../checks/intended-network.js'
import { checkKubernetesSchemas } from '../checks/kubernetes-schema.js'
import { type KubeObject, OVERLAYS, parseManifests } from '../checks/manifests.js'
import { checkStorefrontObjects, secretReferences } from '../checks/storefront-objects.js'
import { checkWorkloads } from '../checks/workload-policy.js'
import { kubectlAvailable, objectNamed, renderedCopy, repositoryFile } from './helpers.js'

/** CloudNativePG's Cluster, for {@link objectNamed}. */
const Cluster = {
  kind: 'Cluster',
  is: (value: unknown): value is KubeObject & { spec: { instances: number; bootstrap: { initdb: { database: string } } } } =>
    typeof value === 'object' && value !== null && (value as KubeObject).apiVersion === 'postgresql.cnpg.io/v1' && (value as KubeObject).kind === 'Cluster',
}

function container(objects: readonly KubeObject[], name: string) {
  return objectNamed(objects, Deployment, name).spec!.template.spec!.containers[0]!
}

describe.skipIf(!kubectlAvailable).each(OVERLAYS)('the %s overlay, as kustomize renders it', (overlay) => {
  it('holds every object against its schema, every workload rule, and the intended network', () => {
    const objects = renderedCopy(overlay)
    expect(checkKubernetesSchemas(objects)).toEqual([])
    expect(checkWorkloads(objects)).toEqual([])
    expect(checkStorefrontObjects(objects)).toEqual([])
    expect(checkDatabases(objects, overlay)).toEqual([])
    expect(checkNetwork(objects, overlay)).toEqual([])
  })

  it('refuses an object its schema refuses, and a kind with no schema', () => {
    const objects = renderedCopy(overlay)
    const bff = container(objects, 'bff')
    bff.ports![0]!.containerPort = 'http' as unknown as number
    const unknownKind = parseManifests('apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n')
    expect(checkKubernetesSchemas([...objects, ...unknownKind])).toEqual([
      expect.stringMatching(/^Deployment bff: .*containerPort must be integer/),
      'Widget w: no schema for example.com/v1 Widget',
    ])
  })

  it('names every secret it reads in the root README, with its key', () => {
    const deploying = repositoryFile('README.md').split('\n## Deploying\n')[1]?.split('\n## ')[0] ?? ''
    for (const { name, key } of secretReferences(renderedCopy(overlay))) {
      expect(deploying, `secret ${name}`).toContain(name)
      expect(deploying, `key ${key} of ${name}`).toContain(key)
    }
  })
})

describe.skipIf(!kubectlAvailable).each(OVERLAYS)('the %s overlay with the tracing component', (overlay) => {
  it('holds every rule, and points every process at the collector through a policy of its own', () => {
    const objects = renderedCopy(overlay, ['tracing'])
    expect(checkKubernetesSchemas(objects)).toEqual([])
    expect(checkWorkloads(objects)).toEqual([])
    expect(checkStorefrontObjects(objects)).toEqual([])
    expect(checkDatabases(objects, overlay)).toEqual([])
    expect(checkNetwork(objects, overlay)).toEqual([])
    for (const name of [...STOREFRONT_SERVICES, 'bff']) {
      expect(container(objects, name).env, name).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://opentelemetry-collector.observability.svc:4318' })
    }
  })
})

describe.skipIf(!kubectlAvailable)('the workload rules', () => {
  it('fail a Deployment without a probe, naming the probe', () => {
    const objects = renderedCopy('prod')
    delete container(objects, 'bff').readinessProbe
    delete container(objects, 'cart').startupProbe
    expect(checkWorkloads(objects)).toEqual([
      'Deployment bff: container bff has no readinessProbe',
      'Deployment cart: container cart has no startupProbe',
    ])
  })

  it('fail a probe that asks another route or an undeclared port', () => {
    const objects = renderedCopy('prod')
    container(objects, 'products').livenessProbe!.httpGet!.path = '/health/ready'
    container(objects, 'inventory').readinessProbe!.httpGet!.port = 'metrics'
    expect(checkWorkloads(objects)).toEqual([
      'Deployment inventory: container inventory readinessProbe asks port metrics, which the container does not declare',
      'Deployment products: container products livenessProbe does not ask /health/live',
    ])
  })

  it('fail a container without requests or limits, or with a limit below its request', () => {
    const objects = renderedCopy('prod')
    delete container(objects, 'favorites').resources!.limits
    delete container(objects, 'bff').resources!.requests!.cpu
    container(objects, 'cart').resources!.limits!.memory = '100Mi'
    expect(checkWorkloads(objects)).toEqual([
      'Deployment bff: container bff has no cpu request',
      'Deployment cart: container cart has a memory limit (100Mi) below its request (160Mi)',
      'Deployment favorites: container favorites has no cpu limit',
      'Deployment favorites: container favorites has no memory limit',
    ])
  })

  it('fail a pod that may run as root or write its root filesystem', () => {
    const objects = renderedCopy('prod')
    const products = objectNamed(objects, Deployment, 'products').spec!.template.spec!
    delete products.securityContext!.runAsNonRoot
    delete products.containers[0]!.securityContext!.runAsNonRoot
    products.securityContext!.runAsUser = 0
    container(objects, 'cart').securityContext!.readOnlyRootFilesystem = false
    expect(checkWorkloads(objects)).toEqual([
      'Deployment cart: container cart has a writable root filesystem (readOnlyRootFilesystem is not true)',
      'Deployment products: container products may run as root (runAsNonRoot is not true)',
      'Deployment products: container products has no non-root numeric runAsUser',
    ])
  })

  it('fail privilege escalation, kept capabilities, a missing /tmp, an unpinned image and a literal secret', () => {
    const objects = renderedCopy('dev')
    const bff = container(objects, 'bff')
    bff.securityContext!.allowPrivilegeEscalation = true
    bff.securityContext!.capabilities = { add: ['NET_ADMIN'], drop: ['ALL'] }
    bff.image = 'storefront:latest'
    const token = bff.env!.find((variable) => variable.name === 'SERVICE_TOKEN')!
    delete token.valueFrom
    token.value = 'a'.repeat(40)
    objectNamed(objects, StatefulSet, 'postgres').spec!.template.spec!.containers[0]!.volumeMounts!.splice(2, 1)
    expect(checkWorkloads(objects)).toEqual([
      'Deployment bff: container bff may escalate privileges (allowPrivilegeEscalation is not false)',
      'Deployment bff: container bff keeps capabilities (drop ALL, add none)',
      'Deployment bff: container bff runs an image that is not pinned to a tag or digest (storefront:latest)',
      'Deployment bff: container bff takes SERVICE_TOKEN as a literal value; it must come from a Secret (valueFrom.secretKeyRef)',
      'StatefulSet postgres: container postgres has a read-only root filesystem but no emptyDir at /tmp',
    ])
  })

  it('fail a Deployment that stops without a preStop pause or within it', () => {
    const objects = renderedCopy('prod')
    delete container(objects, 'cart').lifecycle
    objectNamed(objects, Deployment, 'bff').spec!.template.spec!.terminationGracePeriodSeconds = 5
    expect(checkWorkloads(objects)).toEqual([
      'Deployment bff: gives 5 s to stop, no more than its 5 s preStop pause',
      'Deployment cart: container cart has no preStop pause, so it may stop while still receiving traffic',
    ])
  })
})

describe.skipIf(!kubectlAvailable)('the objects around each Deployment', () => {
  it('fail a missing autoscaler, a Service that is or is not headless, replicas beside an autoscaler, and a committed Secret', () => {
    const objects = renderedCopy('prod')
    const withoutCartAutoscaler = objects.filter((object) => !(HorizontalPodAutoscaler.is(object) && object.metadata.name === 'cart'))
    delete objectNamed(withoutCartAutoscaler, Service, 'products').spec!.clusterIP
    objectNamed(withoutCartAutoscaler, Service, 'bff').spec!.clusterIP = 'None'
    objectNamed(withoutCartAutoscaler, Deployment, 'favorites').spec!.replicas = 3
    const secret = parseManifests('apiVersion: v1\nkind: Secret\nmetadata:\n  name: storefront-bff\nstringData:\n  ops-token: x\n')
    expect(checkStorefrontObjects([...withoutCartAutoscaler, ...secret])).toEqual([
      'Secret storefront-bff is written in the manifests; create it in the cluster instead',
      'Service products is not headless (clusterIP: None), so the BFF would see one address instead of every pod',
      'Deployment favorites sets replicas, which its HorizontalPodAutoscaler owns',
      'Deployment cart has no HorizontalPodAutoscaler',
      'Service bff is headless; the BFF needs one address for its clients',
    ])
  })

  it('fail a prod database with fewer instances, another owner, or a service reading another secret', () => {
    const objects = renderedCopy('prod')
    objectNamed(objects, Cluster, 'inventory-db').spec.instances = 1
    objectNamed(objects, Cluster, 'cart-db').spec.bootstrap.initdb.database = 'products'
    container(objects, 'favorites').env!.find((variable) => variable.name === 'DATABASE_URL')!.valueFrom!.secretKeyRef!.name = 'products-db-app'
    expect(checkDatabases(objects, 'prod')).toEqual([
      'Deployment favorites does not read DATABASE_URL from secret favorites-db-app, key uri',
      'Cluster inventory-db does not run three instances',
      'Cluster cart-db does not make database cart owned by role cart',
    ])
  })

  it('fail a Cluster the CRD would refuse', () => {
    const objects = renderedCopy('prod')
    const cluster = objectNamed(objects, Cluster, 'products-db') as { spec: Record<string, unknown> }
    cluster.spec.instances = 0
    cluster.spec.storage = { size: 'ten gigabytes' }
    cluster.spec.replicas = 3
    expect(checkKubernetesSchemas(objects)).toEqual([
      'Cluster products-db: spec.replicas is not a field of the Cluster CRD',
      'Cluster products-db: spec.instances is required: an integer of at least 1',
      'Cluster products-db: spec.storage.size must be a quantity such as 10Gi',
    ])
  })
})

describe.skipIf(!kubectlAvailable)('the network policies', () => {
  /** An egress policy from `from` and an ingress policy into `to`, on 5432: both sides of a way in. */
  function opening(from: Readonly<Record<string, string>>, to: Readonly<Record<string, string>>, sides: 'both' | 'egress only'): KubeObject[] {
    const egress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'extra-egress', namespace: 'storefront' },
      spec: { podSelector: { matchLabels: from }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: to } }], ports: [{ port: 5432 }] }] } }
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'extra-ingress', namespace: 'storefront' },
      spec: { podSelector: { matchLabels: to }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: from } }], ports: [{ port: 5432 }] }] } }
    return sides === 'both' ? [egress, ingress] : [egress]
  }

  it("fail when a service can reach another service's database", () => {
    const objects = renderedCopy('prod')
    const extra = opening({ 'app.kubernetes.io/name': 'cart' }, { 'cnpg.io/cluster': 'products-db' }, 'both')
    expect(checkNetwork([...objects, ...extra], 'prod')).toEqual([
      'network policies allow cart -> products-db:5432/TCP, which is not intended',
    ])
  })

  it("pass while the database's own ingress policy still refuses the connection", () => {
    const objects = renderedCopy('prod')
    const extra = opening({ 'app.kubernetes.io/name': 'cart' }, { 'cnpg.io/cluster': 'products-db' }, 'egress only')
    expect(checkNetwork([...objects, ...extra], 'prod')).toEqual([])
  })

  it('fail when the BFF can no longer reach a service it calls', () => {
    const objects = renderedCopy('dev')
    const bff = objectNamed(objects, NetworkPolicy, 'bff')
    bff.spec!.egress = bff.spec!.egress!.filter((rule) => rule.ports?.[0]?.port !== 8001)
    expect(checkNetwork(objects, 'dev')).toEqual([
      'network policies block bff -> inventory:8001/TCP, which is intended',
    ])
  })

  it('fail when the processes export spans but no policy lets them reach the collector', () => {
    const objects = renderedCopy('dev', ['tracing']).filter((object) => !(NetworkPolicy.is(object) && object.metadata.name === 'tracing'))
    expect(checkNetwork(objects, 'dev')).toEqual(['bff', 'cart', 'favorites', 'inventory', 'products'].map((name) =>
      `network policies block ${name} -> the OpenTelemetry Collector:4318/TCP, which is intended`))
  })

  it('fail a way to the collector that no process uses', () => {
    const tracing = renderedCopy('prod', ['tracing']).filter((object) => NetworkPolicy.is(object) && object.metadata.name === 'tracing')
    expect(tracing).toHaveLength(1)
    expect(checkNetwork([...renderedCopy('prod'), ...tracing], 'prod')).toEqual(['bff', 'cart', 'favorites', 'inventory', 'products'].map((name) =>
      `network policies allow ${name} -> the OpenTelemetry Collector:4318/TCP, which is not intended`))
  })

  it('fail without the default deny, once a pod that no other policy selects arrives', () => {
    const newcomer = parseManifests(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: newcomer
spec:
  selector:
    matchLabels:
      app: newcomer
  template:
    metadata:
      labels:
        app: newcomer
    spec:
      containers:
        - name: newcomer
          image: example:1.0.0
          ports:
            - containerPort: 8080
`)
    const objects = [...renderedCopy('prod'), ...newcomer]
    expect(checkNetwork(objects, 'prod')).toEqual([])
    const withoutDefaultDeny = objects.filter((object) => !(NetworkPolicy.is(object) && object.metadata.name === 'default-deny'))
    expect(checkNetwork(withoutDefaultDeny, 'prod')).toContain('network policies allow an address outside the cluster -> newcomer:8080/TCP, which is not intended')
  })
})
