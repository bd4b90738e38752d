import { type MessageFormatFunc, prettyFactory } from 'pino-pretty'

/** Options of {@link createLogLineFormatter}. */
export interface LogLineFormatterOptions {
  /** Show pino's JSON lines human-readable; false passes every line through untouched. */
  readonly pretty: boolean
  /** ANSI colours (stdout is a terminal). */
  readonly colour: boolean
}

/**
 * Turns one line a child wrote (no newline) into the text to show: one line, or several for an
 * error's stack (no trailing newline either way).
 */
export type LogLineFormatter = (line: string) => string

/** A pino line as far as the formatter reads it. */
interface PinoLine {
  readonly level: number
  readonly msg?: unknown
  readonly reqId?: unknown
  readonly req?: { readonly method?: unknown; readonly url?: unknown }
  readonly res?: { readonly statusCode?: unknown }
  readonly responseTime?: unknown
}

/**
 * Fields the message already says, or the launcher's prefix does (`service`); every other field
 * follows the message as one line of JSON, and an `err` as its stack below it.
 */
const SHOWN_IN_MESSAGE = 'pid,hostname,service,reqId,req,res,responseTime'

/**
 * The request's part of a message: `GET /products/all` on "incoming request", `200 in 3.1 ms` on
 * "request completed", and the request id, dimmed, last.
 */
const messageFormat: MessageFormatFunc = (log, messageKey, _levelLabel, { colors }) => {
  const line = log as unknown as PinoLine
  const parts = [text(log[messageKey])]
  if (line.req !== undefined) {
    parts.push(`${text(line.req.method)} ${text(line.req.url)}`)
  }
  if (line.res !== undefined) {
    parts.push(typeof line.responseTime === 'number' ? `${text(line.res.statusCode)} in ${line.responseTime.toFixed(1)} ms` : text(line.res.statusCode))
  }
  if (line.reqId !== undefined) {
    parts.push(colors.gray(`reqId=${text(line.reqId)}`))
  }
  return parts.join(' ')
}

/** A field as shown: a string as it is, anything else as JSON, nothing as ''. */
function text(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * A {@link LogLineFormatter}: with `pretty`, each pino JSON line as
 * `[12:03:04.567] INFO: request completed 200 in 3.1 ms reqId=…` through pino-pretty. Anything
 * else (a line that is not JSON, JSON that is not a pino line, and every line without `pretty`)
 * comes back as it was, so a pipe or a file still gets JSON that tools can parse.
 */
export function createLogLineFormatter(options: LogLineFormatterOptions): LogLineFormatter {
  if (!options.pretty) {
    return (line) => line
  }
  const pretty = prettyFactory({
    colorize: options.colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: SHOWN_IN_MESSAGE,
    singleLine: true,
    messageFormat,
  })
  return (line) => {
    const log = pinoLineOf(line)
    // pino-pretty ends with a newline, and leaves a space where the fields would go.
    return log === undefined ? line : pretty(log).trimEnd().replace(/[ \t]+$/gm, '')
  }
}

/** The line's JSON when it is a pino line (an object with a numeric level), else undefined. */
function pinoLineOf(line: string): PinoLine | undefined {
  if (!line.startsWith('{')) {
    return undefined
  }
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && typeof (value as { level?: unknown }).level === 'number' ? value as PinoLine : undefined
  } catch {
    return undefined
  }
}
