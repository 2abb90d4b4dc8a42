import { PhonePanel } from '../../components/PhonePanel'

/** Phone page: dialer and call controls; `?to=` prefills the number (call back from History). */
export default async function PhonePage({ searchParams }: { searchParams: Promise<{ to?: string | string[] }> }) {
  const { to } = await searchParams
  return <PhonePanel defaultNumber={typeof to === 'string' ? to : ''} />
}
