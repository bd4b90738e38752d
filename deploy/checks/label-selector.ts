import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer'

/** A label selector: `matchLabels` and `matchExpressions`, both optional. */
export type LabelSelector = NonNullable<INetworkPolicyPeer['podSelector']>

/** Labels of a pod or a namespace. */
export type Labels = Readonly<Record<string, string>>

/** True when `labels` satisfy every term of `selector`; the empty selector matches everything. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) {
      return false
    }
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key]
    const holds = operator === 'In' ? value !== undefined && values.includes(value)
      : operator === 'NotIn' ? value === undefined || !values.includes(value)
        : operator === 'Exists' ? value !== undefined
          : operator === 'DoesNotExist' ? value === undefined
            : false
    if (!holds) {
      return false
    }
  }
  return true
}
