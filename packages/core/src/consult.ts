// Warm (attended) transfer: the user on a phone call holds the caller, consults a colleague in a room of its own,
// then hands the call over (the colleague joins the call's room, this user leaves once they are there) or cancels
// back to the caller. The consulted colleague sees the consult as an offer, answers it, and owns the call after
// the hand-over. The consult's media is a second transport session beside the call's, so the held caller keeps
// hearing the hold music on the call's microphone track while the two colleagues talk. A phone number is consulted
// the same way from here (a second session, the consult voice), in the call's own room: the server dials the phone
// there and keeps it and the caller from hearing each other until the hand-over.
// This file is the eager part: the types and the small facade on `client.consult`; the controller itself
// (consultController.ts) loads with import() on the first consult action or server event about a consult.
import type { ActiveCall } from './activeCall'
import type { ApiClient } from './apiClient'
import { createCallMachine, isCallOver } from './callMachine'
import { lazyModule } from './lazyModule'
import type { CallRecord, RinglineEvent } from './protocol'
import { RinglineError, toRinglineError } from './ringlineError'
import type { Call, CallError, Clock, DevicesState, ParticipantState } from './types'

/** Your side of a consult: you asked (`consulting`, the call is yours) or you were asked (`consulted`). */
export type ConsultRole = 'consulting' | 'consulted'

/**
 * Where a consult stands: `starting` (request in flight), `ringing` (the colleague has not joined, or the phone has
 * not answered), `connected` (the two of you talk, the caller hears hold music), `left` (a consulted phone hung up,
 * was busy or did not answer: see `leftReason`; cancel to go back to the caller), `completing` (handed over; waiting
 * for the colleague to reach the caller), `ended` (see `endReason`).
 */
export type ConsultPhase = 'starting' | 'ringing' | 'connected' | 'left' | 'completing' | 'ended'

/** Why a consulted phone left the consult (`phase: 'left'`). */
export type ConsultLeftReason = 'hangup' | 'busy' | 'no-answer' | 'declined' | 'failed'

/** Whom to consult: a colleague (`userId`, a user id of your tenant) or a phone number (`to`, E.164 or national). */
export type ConsultTarget = { userId: string } | { to: string }

/** How a consult ended: the call was handed over, cancelled back to the caller, or failed (see `error`). */
export type ConsultEndReason = 'completed' | 'canceled' | 'failed'

/** The consult of this tab, one at a time. */
export interface Consult {
  /** The phone call being transferred. */
  callId: string
  role: ConsultRole
  /** The colleague consulted (user id); empty when a phone number is consulted. */
  userId: string
  /** The phone number consulted as a `tel:` URI (what you typed until the server said); null for a colleague. */
  to: string | null
  /** Why the consulted phone left (`phase: 'left'`); null otherwise. */
  leftReason: ConsultLeftReason | null
  /** The user who asked; null until the server said. */
  by: string | null
  phase: ConsultPhase
  endReason: ConsultEndReason | null
  error: CallError | null
  /** The consult room's participants (you and the colleague). */
  participants: readonly ParticipantState[]
}

/** A consult a colleague offers you (they hold a call and want to talk to you first). */
export interface ConsultOffer {
  callId: string
  /** The colleague asking. */
  by: string
  /** The call's record (the caller's number is on it). */
  record: CallRecord
  receivedAt: number
}

/** The consult state: this tab's consult (live or just ended) and the consults offered to you. */
export interface ConsultSnapshot {
  consult: Consult | null
  offers: readonly ConsultOffer[]
}

/** A consult happening, for logs and toasts (the state has it too). */
export type ConsultEvent =
  | { type: 'consult-offered'; offer: ConsultOffer }
  | { type: 'consult-offer-withdrawn'; callId: string }
  | { type: 'consult-changed'; consult: Consult }

/** Warm transfer of the active phone call, on `client.consult`. */
export interface ConsultClient {
  /** Listen to state changes. */
  subscribe(listener: () => void): () => void
  /** The current consult and offers; the same object until something changes. */
  getSnapshot(): ConsultSnapshot
  /** Listen to consult events. */
  on(listener: (event: ConsultEvent) => void): () => void
  /**
   * Hold the active call and consult a colleague (`userId`, or `{ userId }`) in a consult room, or a phone number
   * (`{ to }`), which the server dials into the call's room (the caller hears neither of you until the hand-over).
   */
  start(target: string | ConsultTarget): Promise<Consult>
  /**
   * Hand the call to the consulted colleague or phone; your call ends (`transfer.status: 'completed'`) once they reach
   * the caller (a phone: at once, the server joins it to the caller).
   */
  complete(): Promise<void>
  /** Cancel the consult: the colleague leaves, the caller is yours again (resumed). Either side may cancel. */
  cancel(): Promise<void>
  /** Answer a consult offered to you: you join the consult room; you get the call if it is handed over. */
  answer(callId: string): Promise<Consult>
  /** Turn down a consult offered to you (the asking colleague sees it cancelled). */
  decline(callId: string): Promise<void>
  /** Forget an ended consult. */
  dismiss(): void
}

/** What the consult needs from the call client. */
export interface ConsultDeps {
  api: ApiClient
  active: ActiveCall
  clock: Clock
  hold(): Promise<void>
  resume(): Promise<void>
  /** Listen to the server's events (all of them). */
  onServerEvent(listener: (event: RinglineEvent) => void): () => void
  selectedDevices(): DevicesState['selected']
  error(error: RinglineError): void
  /** How long the hand-over waits for the colleague to reach the caller (default 20 s). */
  handoverTimeoutMs?: number
}

/** The consult controller's module, loaded on first use. Internal (the testing entry provides it). */
export const consultModule = /* @__PURE__ */ lazyModule(() => import('./consultController'))

type Controller = ConsultClient

/** The snapshot before anything happened (the controller starts from it: same object, no change to report). */
const idle = (): ConsultSnapshot => ({ consult: null, offers: [] })

/**
 * `client.consult` before and after its controller loaded: sync snapshot and subscriptions of its own, actions that
 * wait for the load, and server events about consults buffered while it loads (replayed in order).
 */
class ConsultFacade implements ConsultClient {
  #deps: ConsultDeps
  #initial = idle()
  #controller: Controller | null = null
  #loading: Promise<Controller> | null = null
  /** Server events that arrived while the controller loads, in order; null when not loading. */
  #buffer: RinglineEvent[] | null = null
  /** The controller's own server-event listener, once it exists. */
  #forward: ((event: RinglineEvent) => void) | null = null
  #listeners = new Set<() => void>()
  #eventListeners = new Set<(event: ConsultEvent) => void>()

  constructor(deps: ConsultDeps) {
    this.#deps = deps
    deps.onServerEvent((event) => this.#serverEvent(event))
    const loaded = consultModule.loaded
    if (loaded) this.#create(loaded)
  }

  #create(module: typeof import('./consultController')): Controller {
    if (this.#controller) return this.#controller
    const controller = module.createConsultController(
      {
        ...this.#deps,
        onServerEvent: (listener) => {
          this.#forward = listener
          return () => {
            this.#forward = null
          }
        },
      },
      this.#initial,
      { RinglineError, toRinglineError, isCallOver, createCallMachine },
    )
    controller.subscribe(() => {
      for (const l of this.#listeners) l()
    })
    controller.on((event) => {
      for (const l of this.#eventListeners) l(event)
    })
    this.#controller = controller
    return controller
  }

  /** The controller, loaded once; events buffered meanwhile are replayed before anything else uses it. */
  #load(first?: RinglineEvent): Promise<Controller> {
    if (this.#controller) return Promise.resolve(this.#controller)
    if (!this.#loading) {
      this.#buffer = first ? [first] : []
      this.#loading = consultModule.load().then(
        (module) => {
          const controller = this.#create(module)
          const buffered = this.#buffer ?? []
          this.#buffer = null
          for (const event of buffered) this.#forward?.(event)
          return controller
        },
        (e: unknown) => {
          this.#loading = null
          this.#buffer = null
          throw toRinglineError(e, 'NETWORK_ERROR')
        },
      )
    }
    return this.#loading
  }

  #serverEvent(event: RinglineEvent) {
    if (this.#controller) {
      this.#forward?.(event)
      return
    }
    if (this.#buffer) {
      this.#buffer.push(event)
      return
    }
    // Before any consult, only an event about one matters (an offer); the rest would change nothing.
    if (event.type === 'room.updated' || !event.call.consult) return
    void this.#load(event).catch((e: unknown) => this.#deps.error(toRinglineError(e, 'NETWORK_ERROR')))
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  getSnapshot = (): ConsultSnapshot => this.#controller?.getSnapshot() ?? this.#initial

  on(listener: (event: ConsultEvent) => void): () => void {
    this.#eventListeners.add(listener)
    return () => {
      this.#eventListeners.delete(listener)
    }
  }

  start(target: string | ConsultTarget): Promise<Consult> {
    return this.#controller ? this.#controller.start(target) : this.#load().then((c) => c.start(target))
  }

  complete(): Promise<void> {
    return this.#controller ? this.#controller.complete() : this.#load().then((c) => c.complete())
  }

  cancel(): Promise<void> {
    if (this.#controller) return this.#controller.cancel()
    // Nothing loaded, nothing open: nothing to cancel (an action waiting for the load is cancelled after it).
    return this.#loading ? this.#loading.then((c) => c.cancel()) : Promise.resolve()
  }

  answer(callId: string): Promise<Consult> {
    return this.#controller ? this.#controller.answer(callId) : this.#load().then((c) => c.answer(callId))
  }

  decline(callId: string): Promise<void> {
    return this.#controller ? this.#controller.decline(callId) : this.#load().then((c) => c.decline(callId))
  }

  dismiss(): void {
    // Before the controller there is no consult to forget.
    this.#controller?.dismiss()
  }
}

/** Create the warm-transfer controller of a call client (`client.consult`); its body loads on first use. */
export function createConsultClient(deps: ConsultDeps): ConsultClient {
  return new ConsultFacade(deps)
}

/** Whether the active call is the one being consulted about (the call view shows the consult then). */
export function consultOfCall(snapshot: ConsultSnapshot, call: Call | null): Consult | null {
  const c = snapshot.consult
  return c && call && c.callId === call.id ? c : null
}
