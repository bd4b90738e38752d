import { type Socket, connect, createServer as createNetServer } from 'node:net'

import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'

/** How a fake answers one request. */
interface FakeBehaviour {
  /** The status; defaults to 200. */
  readonly status?: number
  /** Wait this long before answering, in ms. */
  readonly delayMs?: number
  /** Never answer (until the caller gives up and closes the request). */
  readonly hang?: boolean
  /** Answer 200 with a body that is not JSON. */
  readonly malformed?: boolean
  /** The JSON body; defaults to the fake's own answer for the route. */
  readonly body?: unknown
}

/** What the fake saw of one request. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  /** The parsed JSON body of a write, if any. */
  readonly body: unknown
  readonly headers: FastifyRequest['headers']
  /** True once the caller closed the connection before the fake answered. */
  closedEarly: boolean
}

/** A downstream stand-in on 127.0.0.1, on a port of its own. */
interface Fake {
  readonly url: string
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[]
  /** The most requests it held at once. */
  readonly maxInFlight: number
  /** How it answers; replace it in a test. */
  behave: (request: SeenRequest) => FakeBehaviour
  close(): Promise<void>
}

/**
 * Starts a fake downstream. `answer` makes the normal body of any request (every path is
 * accepted); `behave` can delay, fail, hang or garble it, per request.
 */
async function startFake(answer: (request: FastifyRequest) => unknown, answerWrite: (request: FastifyRequest) => { status: number; body?: unknown } = () => ({ status: 204 })): Promise<Fake> {
  // Force-closing connections on close, so a hung request never holds a test's teardown.
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true })
  let inFlight = 0
  const state = {
    requests: [] as SeenRequest[],
    maxInFlight: 0,
    behave: (() => ({})) as (request: SeenRequest) => FakeBehaviour,
  }
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/*', handler: async (request, reply) => {
    const seen: SeenRequest = { method: request.method, url: request.url, body: request.body, headers: request.headers, closedEarly: false }
    state.requests.push(seen)
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    reply.raw.on('close', () => {
      inFlight--
      if (!reply.raw.writableFinished) {
        seen.closedEarly = true
      }
    })
    const behaviour = state.behave(seen)
    if (behaviour.hang === true) {
      reply.hijack()
      return
    }
    if (behaviour.delayMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs))
    }
    if (behaviour.malformed === true) {
      return reply.code(200).type('application/json').send('{"this is": not json')
    }
    if (request.method !== 'GET' && behaviour.status === undefined && behaviour.body === undefined) {
      const written = answerWrite(request)
      return written.body === undefined ? reply.code(written.status).send() : reply.code(written.status).type('application/json').send(JSON.stringify(written.body))
    }
    const type = (behaviour.status ?? 200) >= 400 ? 'application/problem+json' : 'application/json'
    return reply.code(behaviour.status ?? 200).type(type).send(JSON.stringify(behaviour.body ?? answer(request)))
  } })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: address,
    get requests() {
      return state.requests
    },
    get maxInFlight() {
      return state.maxInFlight
    },
    get behave() {
      return state.behave
    },
    set behave(value) {
      state.behave = value
    },
    close: () => app.close(),
  }
}

/** The ids of `?product_ids=1,2,3`. */
export function idsOf(url: string): number[] {
  const raw = new URL(url, 'http://fake').searchParams.get('product_ids') ?? ''
  return raw === '' ? [] : raw.split(',').map(Number)
}

/** Stock the inventory fake reports for a product: easy to check, not equal to the id. */
export function stockOf(productId: number): number {
  return (productId * 7) % 101
}

/** Products 1..`count` as the products service lists them, with its keyset paging (`?limit=N&after=ID`). */
function catalogue(count: number, url: string): Array<{ product_id: number; product_name: string; price_cents: number }> {
  const query = new URL(url, 'http://fake').searchParams
  const after = Number(query.get('after') ?? 0)
  const limit = Number(query.get('limit') ?? count)
  const first = after + 1
  const last = Math.min(count, after + limit)
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => {
    const id = first + index
    return { product_id: id, product_name: `Product ${id}`, price_cents: 100 * id }
  })
}

/** The four downstreams, answering as the seed data would. */
export interface Fakes {
  readonly products: Fake
  readonly inventory: Fake
  readonly favorites: Fake
  readonly cart: Fake
  /** Products the products fake lists: 1..n. */
  productCount: number
  close(): Promise<void>
}

/** Starts all four fakes with the seed data: 10 products, user 1 with 3 cart lines and 3 favorites. */
export async function startFakes(): Promise<Fakes> {
  const fakes: { productCount: number } = { productCount: 10 }
  const [products, inventory, favorites, cart] = await Promise.all([
    startFake((request) => catalogue(fakes.productCount, request.url)),
    startFake((request) => ({ items: idsOf(request.url).map((id) => ({ product_id: id, inventory: stockOf(id) })) })),
    startFake(() => [{ product_id: 1 }, { product_id: 2 }, { product_id: 3 }]),
    startFake(() => [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 4 }], (request) => (
      request.method === 'POST' ? { status: 201, body: { quantity: 1, ...(request.body as object) } } : { status: 204 }
    )),
  ])
  return Object.assign(fakes, {
    products,
    inventory,
    favorites,
    cart,
    close: async () => {
      await Promise.all([products.close(), inventory.close(), favorites.close(), cart.close()])
    },
  })
}

/**
 * A TCP gate in front of an origin, on a port of its own: open, it relays every connection to the
 * origin; shut, nothing listens on its port (connection refused) and the connections it held are
 * cut; `reset` accepts connections and closes them at once, before any answer.
 */
export interface Gate {
  readonly url: string
  /** Connections accepted since the gate started, whether relayed or reset. */
  readonly accepted: number
  open(): Promise<void>
  shut(): Promise<void>
  reset(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts an open {@link Gate} to `target`: an origin such as a fake's url, or a function giving it
 * when the first connection comes (for a fake started after the gate).
 */
export async function startGate(target: string | (() => string)): Promise<Gate> {
  const sockets = new Set<Socket>()
  let mode: 'open' | 'reset' = 'open'
  let accepted = 0
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
    })
    socket.on('error', () => {})
  }
  const server = createNetServer((client) => {
    accepted++
    track(client)
    if (mode === 'reset') {
      client.resetAndDestroy()
      return
    }
    const origin = new URL(typeof target === 'string' ? target : target())
    const upstream = connect({ host: origin.hostname, port: Number(origin.port) })
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  const listen = (port: number): Promise<void> => new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const stop = async (): Promise<void> => {
    if (server.listening) {
      const closed = new Promise<void>((resolve) => server.close(() => { resolve() }))
      for (const socket of sockets) {
        socket.destroy()
      }
      await closed
    }
  }
  await listen(0)
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('the gate is not listening on a TCP port')
  }
  const port = address.port
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted
    },
    open: async () => {
      mode = 'open'
      if (!server.listening) {
        await listen(port)
      }
    },
    shut: stop,
    reset: async () => {
      mode = 'reset'
      for (const socket of sockets) {
        socket.destroy()
      }
      if (!server.listening) {
        await listen(port)
      }
    },
    close: stop,
  }
}
