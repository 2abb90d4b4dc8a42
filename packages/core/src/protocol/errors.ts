import { z } from 'zod'
import { ERROR_CODES } from './constants'

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Zod schema of an error code. */
export const errorCodeSchema = z.enum(ERROR_CODES)

/** The body of every error response: `{ error: { code, message, requestId } }`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    requestId: z.string(),
    field: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
})

/** The body of every error response. */
export type ErrorBody = z.infer<typeof errorBodySchema>
