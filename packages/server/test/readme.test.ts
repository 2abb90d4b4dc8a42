// The server README documents the call record users read from `GET /calls`; this keeps it in step with the schema.
import { readFileSync } from 'node:fs'
import { callEndReasonSchema, callRecordSchema, callStatusSchema } from '@ringline/core/protocol'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('### Call records'), readme.indexOf('Tokens grant one room only'))

describe('server README: call records', () => {
  it('has the section', () => {
    expect(section.length).toBeGreaterThan(200)
  })
  it.each(Object.keys(callRecordSchema.shape))('documents the field %s', (field) => {
    expect(section).toContain(`\`${field}\``)
  })
  it.each([...callStatusSchema.options, ...callEndReasonSchema.options])('names the value %s', (value) => {
    expect(section).toContain(`\`${value}\``)
  })
})
