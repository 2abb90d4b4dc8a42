// Vitest globalSetup: a throwaway PostgreSQL 15 cluster on 127.0.0.1 for the store suite and multi-instance tests.
import type { TestProject } from 'vitest/node'
import { startPgCluster } from './pgCluster'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPgCluster()
  project.provide('postgresUrl', cluster.url)
  return () => cluster.destroy()
}
