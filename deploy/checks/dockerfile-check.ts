import { DockerfileParser, type Instruction, ModifiableInstruction } from 'dockerfile-ast'

import { isPinnedImage } from './workload-policy.js'

/** One `FROM … AS name` stage and what follows it. */
interface Stage {
  readonly name: string | undefined
  /** The base image with build arguments filled in from their defaults. */
  readonly image: string
  readonly instructions: Instruction[]
}

/** Node.js 24 slim, pinned to a minor release (`node:24.21-bookworm-slim`), optionally by digest too. */
const NODE_BASE = /^node:24\.\d+(\.\d+)?-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/

/**
 * Checks the Dockerfile, parsed by dockerfile-ast, against the image's rules:
 * - every base image is an earlier stage or pinned to a tag other than `latest` (or a digest),
 *   Node.js images to `node:24.<minor>-<debian>-slim`;
 * - the final stage runs as a numeric user other than root, has a HEALTHCHECK, starts through
 *   tini, and takes node_modules only from a stage that installed production dependencies
 *   (`npm ci --omit=dev` or `npm prune --omit=dev`), never from a full install.
 */
export function checkDockerfile(text: string): string[] {
  const problems: string[] = []
  const stages = stagesOf(text)
  const final = stages.at(-1)
  if (final === undefined) {
    return ['Dockerfile has no FROM']
  }
  for (const [index, stage] of stages.entries()) {
    const label = stage.name ?? `stage ${index + 1}`
    if (stages.slice(0, index).some((earlier) => earlier.name === stage.image)) {
      continue
    }
    if (!isPinnedImage(stage.image)) {
      problems.push(`${label}: base image ${stage.image} is not pinned to a tag other than latest`)
    } else if (stage.image.startsWith('node:') && !NODE_BASE.test(stage.image)) {
      problems.push(`${label}: base image ${stage.image} is not Node.js 24 slim pinned to a minor release`)
    }
  }
  const user = lastArguments(final, 'USER')
  if (user === undefined) {
    problems.push('the final stage runs as root: it has no USER')
  } else if (!/^\d+(:\d+)?$/.test(user) || Number(user.split(':')[0]) === 0) {
    problems.push(`the final stage's USER ${user} is not a numeric user other than root`)
  }
  const healthcheck = lastArguments(final, 'HEALTHCHECK')
  if (healthcheck === undefined || !healthcheck.startsWith('CMD')) {
    problems.push('the final stage has no HEALTHCHECK CMD')
  }
  const entrypoint = execForm(lastArguments(final, 'ENTRYPOINT'))
  if (entrypoint === undefined || !/(^|\/)tini$/.test(entrypoint[0] ?? '')) {
    problems.push('the final stage does not start through tini (ENTRYPOINT ["/usr/bin/tini", "--", …])')
  }
  for (const instruction of final.instructions) {
    if (isDevInstall(instruction)) {
      problems.push('the final stage installs dev dependencies (npm ci without --omit=dev)')
    }
    if (instruction.getKeyword() !== 'COPY' || !(instruction.getArgumentsContent() ?? '').includes('node_modules')) {
      continue
    }
    const source = stages.find((stage) => stage.name === flagValue(instruction, 'from'))
    if (source === undefined || !source.instructions.some(isProductionInstall) || source.instructions.some(isDevInstall)) {
      problems.push(`the final stage copies node_modules from ${source?.name ?? 'a stage'} that did not install production dependencies only`)
    }
  }
  return problems
}

function stagesOf(text: string): Stage[] {
  const stages: { name: string | undefined; image: string; instructions: Instruction[] }[] = []
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name] = instruction.getExpandedArguments().map((argument) => argument.getValue())
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, image, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

function lastArguments(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.findLast((instruction) => instruction.getKeyword() === keyword)?.getArgumentsContent()?.trim() ?? undefined
}

/** The words of an exec-form (JSON array) instruction, or undefined for the shell form. */
function execForm(argumentsContent: string | undefined): string[] | undefined {
  if (argumentsContent?.startsWith('[') !== true) {
    return undefined
  }
  try {
    const words: unknown = JSON.parse(argumentsContent)
    return Array.isArray(words) ? words.map(String) : undefined
  } catch {
    return undefined
  }
}

/** The value of an instruction's `--name=value` flag (COPY --from=build), if it has one. */
function flagValue(instruction: Instruction, name: string): string | undefined {
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : []
  return flags.find((flag) => flag.getName() === name)?.getValue() ?? undefined
}

function runText(instruction: Instruction): string {
  return instruction.getKeyword() === 'RUN' ? instruction.getArgumentsContent() ?? '' : ''
}

function isProductionInstall(instruction: Instruction): boolean {
  return /npm (ci|install|prune)\b[^&;]*--omit=dev/.test(runText(instruction))
}

function isDevInstall(instruction: Instruction): boolean {
  return /npm (ci|install)\b/.test(runText(instruction)) && !isProductionInstall(instruction)
}
