import type { Page } from 'playwright-core'

/** The part of a node of Chromium's accessibility tree (CDP `Accessibility.AXNode`) read here. */
interface AxNode {
  readonly ignored: boolean
  readonly role?: { readonly value?: string }
  readonly name?: { readonly value?: string }
}

const describeNode = (node: AxNode): string => `${node.role?.value ?? 'no role'} "${node.name?.value ?? ''}"`

/** The roles of controls: what a keyboard or screen reader user acts with. */
const CONTROL_ROLES = new Set(['button', 'checkbox', 'combobox', 'textbox', 'link'])

/** Chromium's accessibility tree of `page`, as a screen reader gets it. */
async function axTree(page: Page): Promise<AxNode[]> {
  const session = await page.context().newCDPSession(page)
  try {
    return ((await session.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] }).nodes.filter((node) => !node.ignored)
  } finally {
    await session.detach()
  }
}

/** The focused element (`document.activeElement`) as a screen reader names it: `role "name"`. */
export async function focused(page: Page): Promise<string> {
  const session = await page.context().newCDPSession(page)
  try {
    const { result } = await session.send('Runtime.evaluate', { expression: 'document.activeElement === document.body ? null : document.activeElement' })
    if (result.objectId === undefined) {
      return 'nothing (the page itself)'
    }
    const { nodes } = (await session.send('Accessibility.getPartialAXTree', { objectId: result.objectId, fetchRelatives: false })) as { nodes: AxNode[] }
    return nodes[0] === undefined ? 'an element outside the accessibility tree' : describeNode(nodes[0])
  } finally {
    await session.detach()
  }
}

/** Every control a screen reader finds, as `role "name"`: the names Chromium computes, not ones worked out again here. */
export async function controlNames(page: Page): Promise<string[]> {
  return (await axTree(page)).filter((node) => CONTROL_ROLES.has(node.role?.value ?? '')).map(describeNode)
}
