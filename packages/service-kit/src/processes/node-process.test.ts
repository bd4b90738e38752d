import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { NodeProcess, type OutputStream } from './node-process.js'
import { waitReady } from './wait-ready.js'

// Real child processes, each a few lines of JavaScript written to a temporary folder.
const dir = mkdtempSync(join(tmpdir(), 'sf-node-process-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function script(name: string, source: string): string {
  const path = join(dir, `${name}.mjs`)
  writeFileSync(path, source)
  return path
}

const env = { PATH: process.env.PATH ?? '' }

/** Starts `source` with every output line collected. */
function run(source: string, options: { args?: string[]; nodeArgs?: string[]; detached?: boolean; extraEnv?: Record<string, string> } = {}) {
  const lines: Array<[OutputStream, string]> = []
  const child = NodeProcess.start({
    script: script(`child-${Math.random().toString(36).slice(2)}`, source),
    env: { ...env, ...options.extraEnv },
    cwd: dir,
    ...(options.args === undefined ? {} : { args: options.args }),
    ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
    ...(options.detached === undefined ? {} : { detached: options.detached }),
    onLine: (line, stream) => lines.push([stream, line]),
  })
  return { child, lines }
}

/** Resolves once `lines` holds `text`, so a test acts only after the child has set itself up. */
async function until(lines: Array<[OutputStream, string]>, text: string): Promise<void> {
  while (!lines.some(([, line]) => line === text)) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('NodeProcess', () => {
  it('passes on every line of stdout and stderr with its stream, the last one without a newline included, before it resolves the exit', async () => {
    const { child, lines } = run(`
      process.stdout.write('one\\ntw')
      process.stderr.write('oops\\n')
      setTimeout(() => { process.stdout.write('o\\nlast'); process.exitCode = 3 }, 20)
    `)
    expect(await child.exited).toEqual({ code: 3, signal: null })
    expect(lines.filter(([stream]) => stream === 'stdout').map(([, line]) => line)).toEqual(['one', 'two', 'last'])
    expect(lines.filter(([stream]) => stream === 'stderr').map(([, line]) => line)).toEqual(['oops'])
  })

  it('runs the script with the Node.js flags before it, the arguments after it, and only the environment given', async () => {
    const { child, lines } = run('console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2), keys: Object.keys(process.env).sort() }))', {
      nodeArgs: ['--no-warnings'],
      args: ['--base-port', '21000'],
      extraEnv: { ONLY_THIS: '1' },
    })
    await child.exited
    expect(JSON.parse(lines[0]![1])).toEqual({ execArgv: ['--no-warnings'], argv: ['--base-port', '21000'], keys: ['ONLY_THIS', 'PATH'] })
  })

  it('stops a child with SIGTERM, and does not kill one that exits within the grace period', async () => {
    const { child, lines } = run(`
      process.once('SIGTERM', () => { console.log('draining'); setTimeout(() => process.exit(0), 50) })
      console.log('up')
      setInterval(() => {}, 1000)
    `)
    await until(lines, 'up')
    expect(child.running).toBe(true)
    let killed = false
    const exit = await child.stop({ graceMs: 10_000, onKill: () => { killed = true } })
    expect(exit).toEqual({ code: 0, signal: null })
    expect(killed).toBe(false)
    expect(lines.map(([, line]) => line)).toEqual(['up', 'draining'])
    expect(child.running).toBe(false)
  })

  it('kills a child with SIGKILL once it has outlived the grace period after SIGTERM', async () => {
    const { child, lines } = run(`
      process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
      console.log('up')
      setInterval(() => {}, 1000)
    `)
    await until(lines, 'up')
    let kills = 0
    const startedAt = performance.now()
    const exit = await child.stop({ graceMs: 300, onKill: () => { kills += 1 } })
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' })
    expect(kills).toBe(1)
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290)
    expect(lines.map(([, line]) => line)).toEqual(['up', 'ignoring SIGTERM'])
  })

  it('resolves a stop at once for a child that has already exited, and again for a second stop', async () => {
    const { child } = run('process.exitCode = 2')
    await child.exited
    expect(child.running).toBe(false)
    const exit = await child.stop({ graceMs: 60_000, onKill: () => { throw new Error('no kill expected') } })
    expect(exit).toEqual({ code: 2, signal: null })
    expect(await child.stop()).toEqual({ code: 2, signal: null })
  })

  it('kill() ends a child at once with SIGKILL', async () => {
    const { child, lines } = run('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)')
    await until(lines, 'up')
    child.kill()
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it('passes a signal on to the child, which handles it as its own', async () => {
    const { child, lines } = run('process.once("SIGINT", () => { console.log("SIGINT"); process.exit(130) }); console.log("up"); setInterval(() => {}, 1000)')
    await until(lines, 'up')
    child.signal('SIGINT')
    expect(await child.exited).toEqual({ code: 130, signal: null })
    expect(lines.at(-1)).toEqual(['stdout', 'SIGINT'])
  })

  it.skipIf(process.platform !== 'linux')('puts a detached child in a process group of its own', async () => {
    // Field 5 of /proc/<pid>/stat, the process group, counted after the command name in parentheses.
    const source = 'import { readFileSync } from "node:fs"\nconsole.log(readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[2])'
    const attached = run(source)
    const detached = run(source, { detached: true })
    await Promise.all([attached.child.exited, detached.child.exited])
    expect(Number(detached.lines[0]![1])).toBe(detached.child.pid)
    expect(Number(attached.lines[0]![1])).not.toBe(attached.child.pid)
  })

  it('reports a child that cannot be started through onError, and resolves its exit with a negative code', async () => {
    const errors: string[] = []
    const child = NodeProcess.start({ script: 'anything.js', env, cwd: join(dir, 'missing'), onLine: () => {}, onError: (error) => errors.push((error as NodeJS.ErrnoException).code ?? '') })
    expect(child.pid).toBeUndefined()
    expect(child.running).toBe(false)
    expect((await child.exited).code).toBeLessThan(0)
    expect(errors).toEqual(['ENOENT'])
  })

  it('exchanges messages over an IPC channel', async () => {
    const child = NodeProcess.start({
      script: script('echo', 'process.once("message", (message) => { process.send({ echoed: message }); process.disconnect() })'),
      env,
      ipc: true,
      onLine: () => {},
    })
    const reply = new Promise((resolve) => {
      const unsubscribe = child.onMessage((message) => {
        unsubscribe()
        resolve(message)
      })
    })
    child.send({ routes: ['/products'] })
    expect(await reply).toEqual({ echoed: { routes: ['/products'] } })
    expect(await child.exited).toEqual({ code: 0, signal: null })
  })

  it('runs a service that waitReady then finds ready over HTTP', async () => {
    const { child, lines } = run(`
      import { createServer } from 'node:http'
      let probes = 0
      const server = createServer((request, response) => {
        probes += 1
        response.statusCode = request.url === '/health/ready' && probes >= 2 ? 200 : 503
        response.end()
      })
      server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)))
      process.once('SIGTERM', () => server.close())
    `)
    while (lines.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const notReady = await waitReady([{ name: 'service', origin: `http://127.0.0.1:${lines[0]![1]}` }], { intervalMs: 20, timeoutMs: 10_000 })
    expect(notReady).toEqual([])
    expect(await child.stop()).toEqual({ code: 0, signal: null })
  })
})
