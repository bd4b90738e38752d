import { parse } from 'yaml'

import { readPromql } from './promql.js'

type Fields = Readonly<Record<string, unknown>>

/** Severities an alert may carry: `page` wakes someone, `warning` and `ticket` wait for the day. */
const SEVERITIES = new Set(['page', 'warning', 'ticket'])
/** A Prometheus duration: `30s`, `5m`, `1h30m`. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/
/** `{{ $labels.name }}` in an annotation: the labels an alert's expression keeps. */
const LABEL_REFERENCE = /\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

/**
 * Checks a Prometheus rule file the way `promtool check rules` would, offline: YAML with `groups`,
 * each group named once with `rules`; each rule an alert with a CamelCase name used once, an `expr`
 * the PromQL grammar accepts, a `for` duration, a known `severity` label, and `summary` and
 * `description` annotations whose `{{ $labels.x }}` name labels the expression keeps (x appears in
 * it). Returns the metric names the rules select, for a check against what the services export.
 */
export function checkAlertRules(text: string): { problems: string[]; metrics: Set<string> } {
  const problems: string[] = []
  const metrics = new Set<string>()
  const document = parse(text) as Fields | null
  const groups = document?.groups
  if (!Array.isArray(groups) || groups.length === 0) {
    return { problems: ['no groups'], metrics }
  }
  const groupNames = new Set<string>()
  const alertNames = new Set<string>()
  for (const group of groups as Fields[]) {
    const groupName = typeof group.name === 'string' ? group.name : ''
    if (groupName === '' || groupNames.has(groupName)) {
      problems.push(`a group without a name, or named twice: "${groupName}"`)
    }
    groupNames.add(groupName)
    const rules = group.rules
    if (!Array.isArray(rules) || rules.length === 0) {
      problems.push(`group ${groupName} has no rules`)
      continue
    }
    for (const rule of rules as Fields[]) {
      const name = typeof rule.alert === 'string' ? rule.alert : ''
      const report = (problem: string): void => {
        problems.push(`${groupName}/${name || '(no alert name)'}: ${problem}`)
      }
      if (!ALERT_NAME.test(name)) {
        report('alert must be a CamelCase name')
      } else if (alertNames.has(name)) {
        report('alert name used twice')
      }
      alertNames.add(name)
      const expr = typeof rule.expr === 'string' ? rule.expr : ''
      if (expr.trim() === '') {
        report('no expr')
        continue
      }
      const reading = readPromql(expr)
      for (const error of reading.errors) {
        report(`expr: ${error}`)
      }
      for (const metric of reading.metrics) {
        metrics.add(metric)
      }
      if (typeof rule.for !== 'string' || !DURATION.test(rule.for)) {
        report('for must be a duration (a flapping expression must hold a while before it fires)')
      }
      const labels = (rule.labels ?? {}) as Fields
      if (typeof labels.severity !== 'string' || !SEVERITIES.has(labels.severity)) {
        report(`labels.severity must be one of ${[...SEVERITIES].join(', ')}`)
      }
      const annotations = (rule.annotations ?? {}) as Fields
      for (const key of ['summary', 'description']) {
        const annotation = annotations[key]
        if (typeof annotation !== 'string' || annotation.trim() === '') {
          report(`annotations.${key} is missing`)
          continue
        }
        for (const [, label] of annotation.matchAll(LABEL_REFERENCE)) {
          if (label !== undefined && !expr.includes(label)) {
            report(`annotations.${key} refers to $labels.${label}, which the expression does not keep`)
          }
        }
      }
    }
  }
  return { problems, metrics }
}
