/**
 * The sum of a Prometheus counter's samples, from `GET /metrics` of `origin`, over the samples
 * whose labels include every pair of `labels` (whatever their other labels); undefined when the
 * service exports no such counter. Read before and after a known number of page requests, it
 * tells what those requests caused.
 */
export async function counterTotal(origin: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number | undefined> {
  const response = await fetch(`${origin}/metrics`)
  const text = await response.text()
  if (response.status !== 200) {
    throw new Error(`GET ${origin}/metrics answered ${response.status}`)
  }
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`)
  let total: number | undefined
  for (const line of text.split('\n')) {
    // `name{route="/inventory",method="GET",status="200"} 1234` (labels in any order), or `name 12`.
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) {
      continue
    }
    const labelText = line.slice(name.length, line.lastIndexOf(' '))
    if (wanted.every((pair) => labelText.includes(pair))) {
      total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}
