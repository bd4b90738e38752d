/**
 * `npm run db:reset`: starts the embedded PostgreSQL server's data over. Refuses while the server
 * runs, since removing its files under it would corrupt what it still writes; the next `npm start`
 * (or a service started alone) makes a fresh cluster with fresh passwords and the demo rows.
 */
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { credentialsPath, isAcceptingConnections, loadCredentials } from '@storefront/service-kit/embedded'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const dataDir = join(repoRoot, '.data', 'postgres')

if (!existsSync(dataDir) && !existsSync(credentialsPath(dataDir))) {
  process.stdout.write(`Nothing to reset: no embedded PostgreSQL data at ${dataDir}\n`)
} else {
  const { port } = loadCredentials(dataDir)
  if (await isAcceptingConnections(port)) {
    process.stderr.write(`The embedded PostgreSQL server is running on port ${port}: stop npm start (and any service started alone) first.\n`)
    process.exitCode = 1
  } else {
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(credentialsPath(dataDir), { force: true })
    process.stdout.write(`Removed ${dataDir} and its credentials; the next start makes a fresh database with the demo rows.\n`)
  }
}
