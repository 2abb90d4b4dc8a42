'use client'
import { type HTMLAttributes, useRef } from 'react'
import { cx } from '../internal/cx'

/** Keys of a phone keypad with their letters. */
export const DIAL_PAD_KEYS = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
] as const

/** Props of {@link DialPad}. */
export interface DialPadProps extends Omit<HTMLAttributes<HTMLDivElement>, 'onKeyDown'> {
  /** Called with the key pressed (`0`–`9`, `*`, `#`, or `+` after a long press on 0). */
  onKey(key: string): void
  /** Accessible name of the group. */
  label?: string
  /** Tooltip (accessible description) of the 0 key about holding it for +. */
  zeroHint?: string
  /** Holding 0 types `+`. Default true. */
  longPressZero?: boolean
  /** How long a press on 0 must last to type `+`, in ms. Default 500. */
  longPressMs?: number
  disabled?: boolean
}

/** A 12-key phone keypad (a `group` of buttons); holding 0 types `+`. */
export function DialPad({
  onKey,
  label = 'Dial pad',
  zeroHint = 'hold for +',
  longPressZero = true,
  longPressMs = 500,
  disabled = false,
  className,
  ...rest
}: DialPadProps) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const longPressed = useRef(false)

  const clear = () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
  }

  return (
    // A keypad keeps 1-2-3 left to right in right-to-left pages too, as on phones.
    // biome-ignore lint/a11y/useSemanticElements: a group of keys, not a form fieldset
    <div
      role="group"
      aria-label={label}
      className={cx('rl-dialpad', className)}
      dir="ltr"
      data-state={disabled ? 'disabled' : 'ready'}
      {...rest}
    >
      {DIAL_PAD_KEYS.map(([key, letters]) => {
        const isZero = key === '0' && longPressZero
        const shown = key === '0' && !longPressZero ? '' : letters
        // The name is the visible text ("2 ABC", "0 +"), so voice-control users can say what they see.
        return (
          <button
            key={key}
            type="button"
            className="rl-dialpad-key"
            data-key={key}
            disabled={disabled}
            title={isZero ? zeroHint : undefined}
            onPointerDown={
              isZero
                ? () => {
                    longPressed.current = false
                    clear()
                    timer.current = setTimeout(() => {
                      longPressed.current = true
                      onKey('+')
                    }, longPressMs)
                  }
                : undefined
            }
            onPointerUp={isZero ? clear : undefined}
            onPointerLeave={isZero ? clear : undefined}
            onContextMenu={isZero ? (e) => e.preventDefault() : undefined}
            onClick={() => {
              clear()
              if (isZero && longPressed.current) {
                longPressed.current = false
                return
              }
              onKey(key)
            }}
          >
            <span className="rl-dialpad-digit">{key}</span>
            {shown ? (
              <>
                {' '}
                <span className="rl-dialpad-letters">{shown}</span>
              </>
            ) : (
              <span className="rl-dialpad-letters" aria-hidden="true" />
            )}
          </button>
        )
      })}
    </div>
  )
}
