// The warm-transfer controller behind `client.consult` (see consult.ts for the whole story). Loaded with import()
// on first use: the first consult action, or the first server event about a consult.
import type { createCallMachine, isCallOver } from './callMachine'
import type {
  Consult,
  ConsultClient,
  ConsultDeps,
  ConsultEndReason,
  ConsultEvent,
  ConsultOffer,
  ConsultSnapshot,
  ConsultTarget,
} from './consult'
import type { CallRecord, CallWithConnection, RinglineEvent } from './protocol'
import type { RinglineError, toRinglineError } from './ringlineError'
import type { CallError, ParticipantState, TransportFact, TransportSession } from './types'

const noop = () => {}

/**
 * Helpers this controller shares with the rest of core, handed in by consult.ts: this chunk imports none of core's
 * files (as livekitSession.ts), so a bundler that splits by file keeps nothing of it in the eager code. Internal.
 */
export interface ConsultHelpers {
  RinglineError: typeof RinglineError
  toRinglineError: typeof toRinglineError
  isCallOver: typeof isCallOver
  createCallMachine: typeof createCallMachine
}

let h: ConsultHelpers

const POLL_MS = 200

/** Whether a room participant is the Ringline user `userId` (identities are `<tenant>:<userId>`). */
function isUser(p: ParticipantState, userId: string): boolean {
  return p.kind === 'user' && !p.isLocal && (p.identity === userId || p.identity.endsWith(`:${userId}`))
}

function asCallError(error: RinglineError): CallError {
  return { code: error.code, message: error.message }
}

class ConsultClientImpl implements ConsultClient {
  #listeners = new Set<() => void>()
  #d: ConsultDeps
  #snapshot: ConsultSnapshot
  #session: TransportSession | null = null
  #eventListeners = new Set<(event: ConsultEvent) => void>()
  /** Calls whose consult this tab started (their offers are not for us). */
  #started = new Set<string>()
  #poll: unknown = null
  /** The latest record of any call the server told us about (a phone consult may move on before start() returns). */
  #lastRecord: CallRecord | null = null

  constructor(deps: ConsultDeps, initial: ConsultSnapshot) {
    this.#d = deps
    this.#snapshot = initial
    deps.onServerEvent((event) => this.#serverEvent(event))
  }

  getSnapshot = (): ConsultSnapshot => this.#snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  on(listener: (event: ConsultEvent) => void) {
    this.#eventListeners.add(listener)
    return () => {
      this.#eventListeners.delete(listener)
    }
  }

  #emit(event: ConsultEvent) {
    for (const l of this.#eventListeners) l(event)
  }

  #set(patch: Partial<ConsultSnapshot>) {
    this.#snapshot = { ...this.#snapshot, ...patch }
    for (const l of this.#listeners) l()
  }

  #patch(patch: Partial<Consult>) {
    const current = this.#snapshot.consult
    if (!current) return
    const next = { ...current, ...patch }
    this.#set({ consult: next })
    if (patch.phase !== undefined && patch.phase !== current.phase)
      this.#emit({ type: 'consult-changed', consult: next })
  }

  #live(): Consult | null {
    const c = this.#snapshot.consult
    return c && c.phase !== 'ended' ? c : null
  }

  // ── consulting side ────────────────────────────────────────────────────────

  async start(target: string | ConsultTarget): Promise<Consult> {
    const phone = typeof target === 'object' && 'to' in target ? target.to.trim() : null
    const userId = typeof target === 'string' ? target.trim() : 'userId' in target ? target.userId.trim() : ''
    if (phone === '')
      throw new h.RinglineError('INVALID_REQUEST', 'Enter the phone number to consult.', { field: 'to' })
    if (phone === null && !userId)
      throw new h.RinglineError('INVALID_REQUEST', 'Choose a colleague to consult.', { field: 'userId' })
    if (this.#live()) throw new h.RinglineError('CALL_NOT_ACTIVE', 'A consult is already open.')
    const { call } = this.#d.active.requireLive()
    if (call.direction === 'internal' || !call.id || call.phase !== 'connected') {
      throw new h.RinglineError('CALL_NOT_ACTIVE', 'Only a connected phone call can be transferred.')
    }
    const callId = call.id
    const wasOnHold = call.onHold
    this.#set({
      consult: {
        callId,
        role: 'consulting',
        userId,
        to: phone === null ? null : `tel:${phone}`,
        leftReason: null,
        by: null,
        phase: 'starting',
        endReason: null,
        error: null,
        participants: [],
      },
    })
    this.#emit({ type: 'consult-changed', consult: this.#snapshot.consult as Consult })
    this.#started.add(callId)
    this.#lastRecord = null
    let result: CallWithConnection
    try {
      if (!wasOnHold) await this.#d.hold()
      result = await this.#d.api.startConsult(callId, phone === null ? { userId } : { to: phone })
    } catch (e) {
      const error = h.toRinglineError(e, 'TRANSFER_FAILED')
      this.#started.delete(callId)
      this.#end('failed', error)
      if (!wasOnHold) await this.#d.resume().catch(noop)
      throw error
    }
    if (this.#snapshot.consult?.callId !== callId || this.#snapshot.consult.phase !== 'starting') {
      return this.#snapshot.consult as Consult
    }
    this.#patch({
      phase: 'ringing',
      by: result.call.consult?.by ?? null,
      ...(result.call.consult?.to ? { to: result.call.consult.to } : {}),
    })
    await this.#connect(callId, result.connection)
    // A phone may have answered (or failed) while we connected.
    // Only a record from after the consult opened (an older one has no consult: it would read as cancelled).
    const latest = this.#lastRecord as CallRecord | null // set by server events meanwhile
    const live = this.#live()
    if (latest?.id === callId && latest.consult?.to && live?.phase === 'ringing')
      this.#mineChanged(live, latest, latest.endedAt !== null)
    return this.#snapshot.consult as Consult
  }

  async complete(): Promise<void> {
    const c = this.#live()
    if (c?.role !== 'consulting') throw new h.RinglineError('CALL_NOT_ACTIVE', 'No consult of yours is open.')
    if (c.phase !== 'connected') {
      throw new h.RinglineError(
        'CALL_NOT_ACTIVE',
        c.to
          ? 'The phone is not on the line: cancel, or wait.'
          : 'The colleague has not joined yet: cancel, or wait.',
      )
    }
    this.#patch({ phase: 'completing' })
    try {
      await this.#d.api.completeConsult(c.callId)
    } catch (e) {
      const error = h.toRinglineError(e, 'TRANSFER_FAILED')
      if (this.#live()?.phase === 'completing') this.#patch({ phase: 'connected', error: asCallError(error) })
      throw error
    }
    const call = this.#d.active.call
    if (c.to) {
      // The server joined the phone to the caller and took us out of the room: our part of the call is over.
      this.#closeSession()
      if (call && call.id === c.callId && !h.isCallOver(call)) {
        this.#d.active.dispatch(call.key, {
          type: 'patch',
          patch: { transfer: { to: c.to, status: 'completed', error: null } },
        })
        this.#d.active.dispatch(call.key, { type: 'end', reason: 'local-hangup' })
      }
      this.#end('completed')
      return
    }
    if (call && call.id === c.callId) {
      this.#d.active.dispatch(call.key, {
        type: 'patch',
        patch: { transfer: { to: `user:${c.userId}`, status: 'pending', error: null } },
      })
    }
    await this.#handOver(c)
  }

  /** Wait for the colleague in the call's room (the caller hears the music until then), then leave it. */
  #handOver(c: Consult): Promise<void> {
    const started = this.#d.clock.now()
    const limit = this.#d.handoverTimeoutMs ?? 20_000
    return new Promise<void>((resolve) => {
      const check = () => {
        this.#poll = null
        const call = this.#d.active.call
        if (!call || call.id !== c.callId || h.isCallOver(call)) {
          this.#closeSession()
          this.#end('completed')
          resolve()
          return
        }
        if (call.participants.some((p) => isUser(p, c.userId))) {
          this.#closeSession()
          this.#d.active.dispatch(call.key, {
            type: 'patch',
            patch: { transfer: { to: `user:${c.userId}`, status: 'completed', error: null } },
          })
          // The caller talks to the colleague now; our part of the call is over (no hang-up on the server).
          this.#d.active.dispatch(call.key, { type: 'end', reason: 'local-hangup' })
          this.#end('completed')
          resolve()
          return
        }
        if (this.#d.clock.now() - started >= limit) {
          const error = new h.RinglineError(
            'TRANSFER_FAILED',
            'The colleague did not reach the caller; the call is still on hold here.',
          )
          this.#closeSession()
          this.#d.active.dispatch(call.key, {
            type: 'patch',
            patch: { transfer: { to: `user:${c.userId}`, status: 'failed', error: asCallError(error) } },
          })
          this.#end('failed', error)
          this.#d.error(error)
          resolve()
          return
        }
        this.#poll = this.#d.clock.setTimeout(check, POLL_MS)
      }
      check()
    })
  }

  async cancel(): Promise<void> {
    const c = this.#live()
    if (!c) return
    this.#closeSession()
    this.#end('canceled')
    try {
      await this.#d.api.cancelConsult(c.callId)
    } catch (e) {
      const error = h.toRinglineError(e, 'NETWORK_ERROR')
      // Already closed or over: nothing left to cancel.
      if (error.code !== 'CALL_NOT_ACTIVE' && error.code !== 'CALL_NOT_FOUND') this.#d.error(error)
    }
    if (c.role === 'consulting') await this.#resumeCall(c.callId)
  }

  /** The other side closed the consult: leave the consult room, back to the caller. */
  async #closeLocally(c: Consult) {
    this.#closeSession()
    this.#end('canceled')
    if (c.role === 'consulting') await this.#resumeCall(c.callId)
  }

  async #resumeCall(callId: string) {
    const call = this.#d.active.call
    if (call?.id === callId && !h.isCallOver(call) && call.onHold) {
      await this.#d.resume().catch((e: unknown) => this.#d.error(h.toRinglineError(e, 'CONNECTION_FAILED')))
    }
  }

  // ── consulted side ─────────────────────────────────────────────────────────

  async answer(callId: string): Promise<Consult> {
    if (this.#live()) throw new h.RinglineError('CALL_NOT_ACTIVE', 'Finish the open consult first.')
    const offer = this.#snapshot.offers.find((o) => o.callId === callId)
    this.#set({
      offers: this.#snapshot.offers.filter((o) => o.callId !== callId),
      consult: {
        callId,
        role: 'consulted',
        userId: offer?.record.consult?.userId ?? '',
        to: null,
        leftReason: null,
        by: offer?.by ?? null,
        phase: 'starting',
        endReason: null,
        error: null,
        participants: [],
      },
    })
    let result: CallWithConnection
    try {
      result = await this.#d.api.answerConsult(callId)
    } catch (e) {
      const error = h.toRinglineError(e, 'NETWORK_ERROR')
      this.#end('failed', error)
      throw error
    }
    this.#patch({
      phase: 'connected',
      userId: result.call.consult?.userId ?? this.#snapshot.consult?.userId ?? '',
      by: result.call.consult?.by ?? this.#snapshot.consult?.by ?? null,
    })
    await this.#connect(callId, result.connection)
    return this.#snapshot.consult as Consult
  }

  async decline(callId: string): Promise<void> {
    this.#withdraw(callId)
    await this.#d.api.cancelConsult(callId).catch((e: unknown) => {
      const error = h.toRinglineError(e, 'NETWORK_ERROR')
      if (error.code !== 'CALL_NOT_ACTIVE' && error.code !== 'CALL_NOT_FOUND') throw error
    })
  }

  /** The call was handed to us: join its room as our active call, then leave the consult room. */
  async #takeOver(record: CallRecord) {
    const active = this.#d.active
    const key = active.newKey()
    const phoneNumber = record.direction === 'inbound' ? record.fromNumber : record.toNumber
    try {
      active.start(
        h.createCallMachine({
          key,
          direction: 'inbound',
          now: this.#d.clock.now(),
          id: record.id,
          number: phoneNumber,
          record,
        }),
      )
      await active.place(key, {
        request: () => this.#d.api.joinTransferredCall(record.id),
        failed: (e) => {
          const error = h.toRinglineError(e, 'NETWORK_ERROR')
          return { error, event: { type: 'fail', error: asCallError(error) } }
        },
        cancel: noop,
        accepted: (result) => ({ id: result.call.id, record: result.call, connection: result.connection }),
      })
      this.#closeSession()
      this.#end('completed')
    } catch (e) {
      const error = h.toRinglineError(e, 'NETWORK_ERROR')
      this.#closeSession()
      this.#end('failed', error)
      this.#d.error(error)
    }
  }

  // ── shared ─────────────────────────────────────────────────────────────────

  async #connect(callId: string, connection: CallWithConnection['connection']) {
    const session = this.#d.active.transport().createSession((fact) => this.#fact(session, fact))
    this.#session = session
    const selected = this.#d.selectedDevices()
    try {
      await session.connect(connection, {
        microphone: true,
        audioInput: selected.audioinput,
        audioOutput: selected.audiooutput,
      })
    } catch (e) {
      if (this.#session !== session || this.#live()?.callId !== callId) return
      const error = h.toRinglineError(e, 'CONNECTION_FAILED')
      this.#d.error(error)
      await this.cancel()
      this.#patch({ endReason: 'failed', error: asCallError(error) })
    }
  }

  #fact(session: TransportSession, fact: TransportFact) {
    if (this.#session !== session) return
    const c = this.#live()
    if (!c) return
    if (fact.type === 'participants') {
      this.#patch({ participants: fact.participants })
      if (
        c.role === 'consulting' &&
        c.phase === 'ringing' &&
        fact.participants.some((p) => isUser(p, c.userId))
      ) {
        this.#patch({ phase: 'connected' })
      }
      return
    }
    // A phone consult shares the call's room: the server says when the phone answers or leaves.
    if (c.to && fact.type !== 'connection') return
    if (fact.type === 'participant-left' && c.phase === 'connected') {
      const left = fact.participant
      const other = c.role === 'consulting' ? isUser(left, c.userId) : left.kind === 'user' && !left.isLocal
      // The colleague closed their tab or lost the network: back to the caller.
      if (other && fact.cause !== 'client-initiated') void this.cancel()
      return
    }
    if (fact.type === 'connection' && fact.state === 'disconnected' && fact.cause !== 'client-initiated') {
      // The consult room was closed (cancelled by the other side) or the link is gone for good.
      if (c.phase === 'completing') return
      void this.cancel()
    }
  }

  #closeSession() {
    const session = this.#session
    this.#session = null
    if (session) void session.disconnect().catch(noop)
  }

  #end(reason: ConsultEndReason, error?: RinglineError) {
    if (this.#poll !== null) {
      this.#d.clock.clearTimeout(this.#poll)
      this.#poll = null
    }
    if (!this.#live()) return
    this.#patch({
      phase: 'ended',
      endReason: reason,
      error: error ? asCallError(error) : null,
      participants: [],
    })
  }

  #withdraw(callId: string) {
    if (!this.#snapshot.offers.some((o) => o.callId === callId)) return
    this.#set({ offers: this.#snapshot.offers.filter((o) => o.callId !== callId) })
    this.#emit({ type: 'consult-offer-withdrawn', callId })
  }

  #serverEvent(event: RinglineEvent) {
    if (event.type === 'room.updated') return
    const record = event.call
    this.#lastRecord = record
    const c = this.#live()
    if (c && c.callId === record.id) {
      this.#mineChanged(c, record, event.type === 'call.ended' || record.endedAt !== null)
      return
    }
    const consult = record.consult
    const offered = this.#snapshot.offers.find((o) => o.callId === record.id)
    if (consult?.state === 'ringing' && !record.endedAt && !this.#started.has(record.id)) {
      if (this.#d.active.call?.id === record.id) return
      if (offered) return
      const offer: ConsultOffer = {
        callId: record.id,
        by: consult.by,
        record,
        receivedAt: this.#d.clock.now(),
      }
      this.#set({ offers: [...this.#snapshot.offers, offer] })
      this.#emit({ type: 'consult-offered', offer })
      return
    }
    if (offered) this.#withdraw(record.id)
  }

  /** A server event about the call of our own live consult. */
  #mineChanged(c: Consult, record: CallRecord, over: boolean) {
    if (over) {
      this.#closeSession()
      this.#end(
        c.phase === 'completing' ? 'completed' : 'failed',
        new h.RinglineError('CALL_NOT_ACTIVE', 'The call ended.'),
      )
      return
    }
    const consult = record.consult
    if (consult) {
      if (c.role === 'consulting' && consult.state === 'connected' && c.phase === 'ringing') {
        this.#patch({ phase: 'connected', by: consult.by })
      }
      if (
        c.role === 'consulting' &&
        consult.state === 'ended' &&
        c.phase !== 'left' &&
        c.phase !== 'completing'
      ) {
        this.#patch({ phase: 'left', leftReason: consult.endReason ?? 'hangup' })
      }
      return
    }
    if (c.to && record.transfer?.kind === 'warm' && record.transfer.to === c.to) return
    const handedTo = record.transfer?.kind === 'warm' ? record.transfer.to : null
    if (handedTo === `user:${c.userId}`) {
      // Handed over: the consulted side takes the call; the consulting side is already completing.
      if (c.role === 'consulted' && c.phase !== 'completing') {
        this.#patch({ phase: 'completing' })
        void this.#takeOver(record)
      }
      return
    }
    // Closed without a hand-over: cancelled by the other side.
    if (c.phase === 'completing') return
    void this.#closeLocally(c)
  }

  dismiss() {
    if (this.#snapshot.consult?.phase === 'ended') this.#set({ consult: null })
  }
}

/** The warm-transfer controller, starting from `initial` (the facade's snapshot so far). Internal. */
export function createConsultController(
  deps: ConsultDeps,
  initial: ConsultSnapshot,
  helpers: ConsultHelpers,
): ConsultClient {
  h = helpers
  return new ConsultClientImpl(deps, initial)
}
