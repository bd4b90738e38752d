/** The only host a benchmark ever loads. */
export const LOOPBACK = '127.0.0.1'
