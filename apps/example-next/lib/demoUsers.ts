/** A demo user of the example app: two tenants with two agents each. */
export interface DemoUser {
  userId: string
  tenantId: string
  name: string
  role: 'admin' | 'member'
  tenantName: string
}

/** The demo users you can sign in as. */
export const DEMO_USERS: readonly DemoUser[] = [
  { userId: 'alice', tenantId: 'acme', name: 'Alice Admin', role: 'admin', tenantName: 'Acme Plumbing' },
  { userId: 'bob', tenantId: 'acme', name: 'Bob Agent', role: 'member', tenantName: 'Acme Plumbing' },
  { userId: 'carol', tenantId: 'globex', name: 'Carol Admin', role: 'admin', tenantName: 'Globex Dental' },
  { userId: 'dave', tenantId: 'globex', name: 'Dave Agent', role: 'member', tenantName: 'Globex Dental' },
]

/** Finds a demo user by id. */
export function findDemoUser(userId: string | undefined): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.userId === userId)
}
