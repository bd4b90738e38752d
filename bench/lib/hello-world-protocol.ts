/** One path the hello-world answers, with the body the real service gave. */
export interface HelloRoute {
  /** The path without its query string. */
  readonly path: string
  readonly contentType: string
  readonly body: string
}

/** Parent → hello-world: what to serve. */
export interface HelloRequest {
  readonly routes: readonly HelloRoute[]
}

/** Hello-world → parent: where it listens. */
export interface HelloReply {
  readonly port: number
}

