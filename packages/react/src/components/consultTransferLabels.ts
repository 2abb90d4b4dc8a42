// The default texts of ConsultTransfer's body; they load with it (overridable through its `labels` prop). The texts
// the eager code shows (`consultOfferLabels`) the shell hands to the body, so this module imports no component.
import type { ConsultTransferLabels } from './ConsultTransfer'

/** Default English texts of ConsultTransfer's body, but for the eager ones (`consultOfferLabels`). */
export const consultTransferLabels: Omit<
  ConsultTransferLabels,
  'consult' | 'offersGroup' | 'offer' | 'answerOffer' | 'declineOffer'
> = {
  consultKind: 'Whom to consult',
  consultColleague: 'Colleague',
  consultPhone: 'Number',
  consultTo: 'Colleague to consult (user id)',
  consultToPhone: 'Number to consult',
  consultHint: 'The caller is put on hold and hears music while you talk.',
  consultSubmit: 'Start consult',
  consultInvalid: 'Enter the colleague to consult.',
  consultInvalidPhone: 'Enter the number to consult.',
  status: {
    starting: (who) => `Calling ${who}…`,
    ringing: (who) => `Waiting for ${who} to join… The caller is on hold.`,
    connected: (who) => `Talking to ${who}. The caller is on hold.`,
    completing: (who) => `Handing the caller to ${who}…`,
  },
  left: {
    hangup: (who) => `${who} hung up. Cancel the consult to go back to the caller.`,
    busy: (who) => `${who} is busy. Cancel the consult to go back to the caller.`,
    'no-answer': (who) => `${who} did not answer. Cancel the consult to go back to the caller.`,
    declined: (who) => `${who} declined the call. Cancel the consult to go back to the caller.`,
    failed: (who) => `The call to ${who} failed. Cancel the consult to go back to the caller.`,
  },
  ended: {
    completed: (who) => `Transferred to ${who}`,
    canceled: () => 'Consult ended. You are back with the caller.',
    failed: () => 'Warm transfer failed',
  },
  complete: 'Complete transfer',
  cancel: 'Cancel consult',
  consultedBy: (who) => `${who} is consulting you. Their caller is on hold.`,
  end: 'End consult',
  takenOver: 'The call is yours now.',
  consultedEnded: 'The consult ended. The caller stays with your colleague.',
  dismiss: 'Close',
}
