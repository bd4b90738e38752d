import { parser } from '@prometheus-io/lezer-promql'

/** What {@link readPromql} found in one expression. */
export interface PromqlReading {
  /** Syntax errors, with the text around each; empty for a valid expression. */
  readonly errors: string[]
  /** The metric names the expression selects (`rate(http_requests_total[5m])` → `http_requests_total`). */
  readonly metrics: string[]
}

/**
 * Parses a PromQL expression with the Prometheus project's own grammar (`@prometheus-io/lezer-promql`,
 * the parser of Prometheus's query editor), and lists the metric names it selects. The grammar
 * recovers from errors rather than throwing: every error node it leaves is reported.
 */
export function readPromql(expression: string): PromqlReading {
  const errors: string[] = []
  const metrics: string[] = []
  const tree = parser.parse(expression)
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: …${expression.slice(Math.max(0, node.from - 20), node.from + 20).replaceAll('\n', ' ')}…`)
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier')
        if (identifier !== null) {
          metrics.push(expression.slice(identifier.from, identifier.to))
        }
      }
    },
  })
  return { errors, metrics }
}
