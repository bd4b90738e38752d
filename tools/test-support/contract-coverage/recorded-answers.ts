import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

import type { RecordedAnswer } from '../../../packages/service-kit/src/testing/index.js'

/** Every answer recorded in `folder` by every process of the run, each shape once. */
export function readRecordedAnswers(folder: string): RecordedAnswer[] {
  const lines = new Set<string>()
  for (const file of readdirSync(folder)) {
    if (file.endsWith('.jsonl')) {
      for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) {
        if (line !== '') {
          lines.add(line)
        }
      }
    }
  }
  return [...lines].map((line) => JSON.parse(line) as RecordedAnswer)
}
