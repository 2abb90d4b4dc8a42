#!/usr/bin/env node
// The `ringline-sandbox` command. A committed file (not dist/) so package managers can link it before the package is built.
import('../dist/cli.js').catch((error) => {
  console.error(
    `[ringline-sandbox] the CLI is not built (${error.message}). In the Ringline repository run \`pnpm build\`.`,
  )
  process.exit(1)
})
