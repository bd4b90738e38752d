/**
 * Vitest reporter: the contract-coverage check of `npm test`. Before any test runs it gives every
 * process of the run (the workers, and the systems the tests start, which inherit the variable)
 * a folder to record the shape of each answer in; when the run ends it compares those answers
 * with the five OpenAPI documents under `docs/openapi/`, lists each answer a document does not
 * (a status, a contract header or a problem `code`), and fails the run if there is any.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import type { Reporter } from 'vitest/node'

import { ANSWER_RECORD_ENV } from '../../../packages/service-kit/src/testing/index.js'
import { readRecordedAnswers } from './recorded-answers.js'
import { type OpenApiDocument, type UndocumentedAnswer, undocumentedAnswers } from './undocumented-answers.js'

const DOCUMENTS = fileURLToPath(new URL('../../../docs/openapi/', import.meta.url))

export default class ContractCoverageReporter implements Reporter {
  #folder: string | undefined

  onInit(): void {
    const folder = mkdtempSync(join(tmpdir(), 'sf-answers-'))
    this.#folder = folder
    process.env[ANSWER_RECORD_ENV] = folder
    // Kept until the end of the process: in watch mode the same workers record on, run after run.
    process.once('exit', () => {
      rmSync(folder, { recursive: true, force: true })
    })
  }

  onTestRunEnd(): void {
    if (this.#folder === undefined) {
      return
    }
    const answers = readRecordedAnswers(this.#folder)
    const documents = readDocuments()
    const judged = answers.filter((answer) => documents.has(answer.service) && answer.route !== null)
    const undocumented = undocumentedAnswers(documents, answers)
    if (undocumented.length === 0) {
      if (judged.length > 0) {
        console.log(`\nContract coverage: ${judged.length} kinds of answer seen by the tests, each listed by its route's OpenAPI document.`)
      }
      return
    }
    console.error(`\nContract coverage: ${undocumented.length} kinds of answer seen by the tests are not in their route's OpenAPI document (docs/openapi/):`)
    for (const line of describe(undocumented)) {
      console.error(`  ${line}`)
    }
    console.error('Document them in the route\'s schema, then run `npm run openapi`.')
    process.exitCode = 1
  }
}

function readDocuments(): Map<string, OpenApiDocument> {
  const documents = new Map<string, OpenApiDocument>()
  if (existsSync(DOCUMENTS)) {
    for (const file of readdirSync(DOCUMENTS).filter((name) => name.endsWith('.json'))) {
      documents.set(basename(file, '.json'), JSON.parse(readFileSync(join(DOCUMENTS, file), 'utf8')) as OpenApiDocument)
    }
  }
  return documents
}

function describe(undocumented: readonly UndocumentedAnswer[]): string[] {
  return undocumented
    .map(({ answer, missing }) => `${answer.service} ${answer.method} ${answer.route} → ${answer.status}${answer.code === undefined ? '' : ` ${answer.code}`}: ${missing}`)
    .sort()
}
