import type { ConnectNumberRequest, TwilioCredentialsRequest } from '@ringline/core/protocol'
import { defineRoute, type Route } from '../http/router'
import type { NumbersApi } from './numbersApi'

/**
 * The bring-your-own-number routes (DESIGN §5): credentials verify/save/read/delete, number listing, and an
 * idempotent connect, disconnect and status per Twilio number (`PN…`). The operations validate their input.
 */
export function twilioRoutes(numbers: NumbersApi): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/twilio/credentials/verify',
      handle: (c) =>
        numbers.verifyTwilioCredentials(c.principal, c.body as TwilioCredentialsRequest, c.requestId),
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/credentials',
      handle: (c) => numbers.getTwilioCredentials(c.principal, c.requestId),
    }),
    defineRoute({
      method: 'PUT',
      path: '/twilio/credentials',
      handle: (c) =>
        numbers.saveTwilioCredentials(c.principal, c.body as TwilioCredentialsRequest, c.requestId),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/twilio/credentials',
      handle: (c) => numbers.deleteTwilioCredentials(c.principal, c.requestId),
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/numbers',
      handle: (c) => numbers.listTwilioNumbers(c.principal, c.requestId),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/numbers/:sid/connect',
      handle: (c) =>
        numbers.connectTwilioNumber(
          c.principal,
          c.params.sid ?? '',
          c.body as ConnectNumberRequest,
          c.requestId,
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/numbers/:sid/disconnect',
      handle: (c) => numbers.disconnectTwilioNumber(c.principal, c.params.sid ?? '', c.requestId),
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/numbers/:sid/status',
      handle: (c) => numbers.twilioNumberStatus(c.principal, c.params.sid ?? '', c.requestId),
    }),
  ]
}
