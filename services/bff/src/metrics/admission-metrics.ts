import { Counter, Gauge, type Registry } from 'prom-client'

import type { PageAdmission } from '../admission/page-admission.js'

/** Adds the pages' adaptive limit to `registry`, read at scrape time: the limit, pages in flight, pages shed. */
export function attachAdmissionMetrics(registry: Registry, admission: PageAdmission): void {
  new Gauge({
    name: 'bff_pages_concurrency_limit',
    help: 'The adaptive limit of GET /products/all pages in progress at once; past it pages are shed with 503.',
    registers: [registry],
    collect() {
      this.set(admission.limiter.limit)
    },
  })
  new Gauge({
    name: 'bff_pages_inflight',
    help: 'GET /products/all pages in progress now.',
    registers: [registry],
    collect() {
      this.set(admission.inflight)
    },
  })
  let counted = 0
  new Counter({
    name: 'bff_pages_shed_total',
    help: 'GET /products/all pages refused with 503 SVC_ERR_OVERLOADED by the adaptive limit.',
    registers: [registry],
    collect() {
      // A counter only goes up: add what is new since the last scrape.
      this.inc(admission.shed - counted)
      counted = admission.shed
    },
  })
}
