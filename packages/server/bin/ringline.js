#!/usr/bin/env node
// The `ringline` command. A committed file (not dist/) so package managers can link it before the package is built.
import('../dist/cli.js').then(
  (cli) => cli.runCli(process.argv.slice(2)),
  (error) => {
    console.error(
      `ringline: the CLI is not built (${error.message}). In the Ringline repository run \`pnpm build\`.`,
    )
    process.exit(1)
  },
)
