/**
 * True for addresses that only this machine can reach: `localhost`, `::1` and 127.0.0.0/8. Every
 * default that would be unsafe on a network (demo sign-in, open operator routes, short secrets)
 * holds only on these.
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
