'use client'

import { CallHistory } from '@ringline/react'
import { useRouter } from 'next/navigation'

/** Call history; "call back" opens the phone page with the number prefilled. */
export function HistoryPanel() {
  const router = useRouter()
  return <CallHistory onCallBack={(number) => router.push(`/phone?to=${encodeURIComponent(number)}`)} />
}
