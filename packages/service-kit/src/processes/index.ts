/**
 * `@storefront/service-kit/processes`: running Node.js services as child processes, for the tools
 * that start them (the launcher, the benchmarks). An entry of its own, like `/embedded`, so that a
 * tool that starts a system does not load Fastify, undici and prom-client first.
 *
 * @module
 */
export { NodeProcess, type NodeProcessOptions, type OutputStream, type ProcessExit, type StopOptions } from './node-process.js'
export { type ReadyTarget, type WaitReadyOptions, waitReady } from './wait-ready.js'
