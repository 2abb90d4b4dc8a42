import { SettingsCards } from '../../components/SettingsCards'

/** Settings: the call transport, connecting a Twilio number you already own, and Twilio Voice for browser calling. */
export default function SettingsPage() {
  const simulated = process.env.RINGLINE_TWILIO_SIMULATOR === '1'
  return (
    <div className="demo-settings">
      {simulated ? (
        <p className="demo-banner" role="note">
          Simulated Twilio: this demo talks to Ringline&apos;s Twilio simulator, not to twilio.com.
        </p>
      ) : null}
      <SettingsCards />
    </div>
  )
}
