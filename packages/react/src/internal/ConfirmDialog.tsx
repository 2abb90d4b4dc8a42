'use client'
// The inline "are you sure?" step of a destructive action (remove credentials, disconnect a number). Only component
// bodies (XBody.tsx, loaded with import()) use it, so the package index never reaches it (see lazyBody.tsx).
import { type JSX, type ReactNode, useEffect, useId, useRef } from 'react'

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  /** The question; names the dialog. */
  title: ReactNode
  /** More about what confirming does; describes the dialog. */
  description?: ReactNode
  cancelLabel: string
  /** The confirm button's text (it is styled as dangerous). */
  confirmLabel: string
  /** Called by the cancel button and by Escape. */
  onCancel: () => void
  onConfirm: () => void
}

/**
 * An inline alert dialog: focus moves to Cancel when it opens, Escape cancels, and when it closes focus returns to
 * the control that had it before (the button that opened it) if focus was still inside. Internal.
 */
export function ConfirmDialog({
  title,
  description,
  cancelLabel,
  confirmLabel,
  onCancel,
  onConfirm,
}: ConfirmDialogProps): JSX.Element {
  const id = useId()
  const rootRef = useRef<HTMLDivElement>(null)
  const cancelRef = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const opener = document.activeElement
    const root = rootRef.current
    cancelRef.current?.focus()
    return () => {
      const active = document.activeElement
      const focusLost = !active || active === document.body || !!root?.contains(active)
      if (focusLost && opener instanceof HTMLElement && opener.isConnected) opener.focus()
    }
  }, [])
  return (
    <div
      ref={rootRef}
      className="rl-confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={description ? `${id}-desc` : undefined}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation()
          onCancel()
        }
      }}
    >
      <p id={`${id}-title`} className={description ? 'rl-confirm-title' : undefined}>
        {title}
      </p>
      {description ? <p id={`${id}-desc`}>{description}</p> : null}
      <button ref={cancelRef} type="button" className="rl-button" onClick={onCancel}>
        {cancelLabel}
      </button>
      <button type="button" className="rl-button" data-variant="danger" onClick={onConfirm}>
        {confirmLabel}
      </button>
    </div>
  )
}
