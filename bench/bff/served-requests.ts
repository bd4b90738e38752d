/**
 * How many requests a service has answered on `route` (every method and status), from the
 * `http_requests_total` counter of its `GET /metrics`. Read before and after a known number of
 * page requests, it counts the calls the BFF made, retries included.
 */
export async function requestsServed(origin: string, route: string): Promise<number> {
  const response = await fetch(`${origin}/metrics`)
  const text = await response.text()
  if (response.status !== 200) {
    throw new Error(`GET ${origin}/metrics answered ${response.status}`)
  }
  const routeLabel = `route="${route}"`
  let total = 0
  for (const line of text.split('\n')) {
    // `http_requests_total{route="/inventory",method="GET",status="200"} 1234`, labels in any order.
    if (line.startsWith('http_requests_total{') && line.slice(0, line.lastIndexOf('}')).includes(routeLabel)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}
