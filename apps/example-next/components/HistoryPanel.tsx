'use client'

import { CallHistory } from '@ringline/react'
import { useRouter } from 'next/navigation'
import { ROOM_KINDS } from '../lib/roomKinds'

/** Call history with a room-kind filter; "call back" opens the phone page with the number prefilled. */
export function HistoryPanel() {
  const router = useRouter()
  return (
    <CallHistory
      roomKinds={ROOM_KINDS}
      labels={{ roomKindNames: { support: 'Support' } }}
      onCallBack={(number) => router.push(`/phone?to=${encodeURIComponent(number)}`)}
    />
  )
}
