'use client'
// One labelled credential input of the Twilio cards: its hint below, replaced by the field's error when there is
// one (then `aria-invalid`). Never autocompleted or spell-checked; a secret is a password input.

/** Props of {@link CredentialField}. */
export interface CredentialFieldProps {
  /** The input's id; the hint's is `${id}-hint`. */
  id: string
  label: string
  hint: string
  error?: string | undefined
  secret?: boolean
  value: string
  onChange(value: string): void
}

/** A credential input with its label and its hint or error. Internal. */
export function CredentialField({
  id,
  label,
  hint,
  error,
  secret = false,
  value,
  onChange,
}: CredentialFieldProps) {
  return (
    <div className="rl-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="rl-input"
        type={secret ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      <p id={`${id}-hint`} className={error ? 'rl-error' : 'rl-hint'}>
        {error ?? hint}
      </p>
    </div>
  )
}
