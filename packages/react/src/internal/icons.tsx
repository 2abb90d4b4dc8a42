import type { SVGProps } from 'react'

// Small stroke icons, decorative: the buttons carry the accessible names.
function Icon({ children, ...props }: SVGProps<SVGSVGElement>) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="1em"
      height="1em"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className="rl-icon"
      {...props}
    >
      {children}
    </svg>
  )
}

const PHONE =
  'M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2Z'

export const PhoneIcon = () => (
  <Icon>
    <path d={PHONE} />
  </Icon>
)
export const HangupIcon = () => (
  <Icon style={{ transform: 'rotate(135deg)' }}>
    <path d={PHONE} />
  </Icon>
)
export const MicIcon = () => (
  <Icon>
    <rect x="9" y="2" width="6" height="12" rx="3" />
    <path d="M19 10v1a7 7 0 0 1-14 0v-1M12 18v4" />
  </Icon>
)
export const MicOffIcon = () => (
  <Icon>
    <path d="m2 2 20 20M15 9.3V5a3 3 0 0 0-5.7-1.3M9 9v2a3 3 0 0 0 5 2.2M19 10v1a7 7 0 0 1-1.1 3.8M5 10v1a7 7 0 0 0 11.3 5.5M12 18v4" />
  </Icon>
)
export const PauseIcon = () => (
  <Icon>
    <path d="M9 5v14M15 5v14" />
  </Icon>
)
export const PlayIcon = () => (
  <Icon>
    <path d="m7 4 13 8-13 8Z" />
  </Icon>
)
export const KeypadIcon = () => (
  <Icon>
    <path
      d="M6 5h.01M12 5h.01M18 5h.01M6 11h.01M12 11h.01M18 11h.01M6 17h.01M12 17h.01M18 17h.01"
      strokeWidth={3}
    />
  </Icon>
)
export const TransferIcon = () => (
  <Icon>
    <path d="M4 8h14l-4-4M20 16H6l4 4" />
  </Icon>
)
export const BackspaceIcon = () => (
  <Icon>
    <path d="M21 5H8l-6 7 6 7h13a1 1 0 0 0 1-1V6a1 1 0 0 0-1-1ZM17 9l-6 6M11 9l6 6" />
  </Icon>
)
export const InboundIcon = () => (
  <Icon>
    <path d="M17 7 7 17M7 8v9h9" />
  </Icon>
)
export const OutboundIcon = () => (
  <Icon>
    <path d="M7 17 17 7M8 7h9v9" />
  </Icon>
)
export const InternalIcon = () => (
  <Icon>
    <circle cx="9" cy="8" r="3" />
    <path d="M3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M21 20a6 6 0 0 0-4-5.7" />
  </Icon>
)
export const DownloadIcon = () => (
  <Icon>
    <path d="M12 3v12M7 10l5 5 5-5M4 21h16" />
  </Icon>
)
export const SpeakerIcon = () => (
  <Icon>
    <path d="M11 5 6 9H2v6h4l5 4ZM15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14" />
  </Icon>
)
export const CheckIcon = () => (
  <Icon>
    <path d="m5 12 5 5 9-11" />
  </Icon>
)
export const AlertIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 8v4M12 16h.01" />
  </Icon>
)
