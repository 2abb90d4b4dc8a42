import { CompanyNumber } from '../../components/CompanyNumber'
import { PhonePanel } from '../../components/PhonePanel'
import { currentUser } from '../../lib/currentUser'
import { demoNumbers } from '../../lib/demoNumbers'

/** Phone page: dialer and call controls; `?to=` prefills the number (call back from History). */
export default async function PhonePage({
  searchParams,
}: {
  searchParams: Promise<{ to?: string | string[] }>
}) {
  const [{ to }, user] = await Promise.all([searchParams, currentUser()])
  return (
    <>
      <CompanyNumber e164={user ? demoNumbers().get(user.tenantId) : undefined} />
      <PhonePanel defaultNumber={typeof to === 'string' ? to : ''} />
    </>
  )
}
