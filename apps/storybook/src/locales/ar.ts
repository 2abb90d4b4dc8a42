// Arabic texts for the right-to-left check in Storybook: the main texts of the calling widgets (the rest stays
// English). Not shipped: the complete second locale is @ringline/react/locales/de.
import type { PartialRinglineMessages } from '@ringline/react'

export const ar: PartialRinglineMessages = {
  locale: 'ar',
  dir: 'rtl',
  dialer: {
    numberLabel: 'رقم الهاتف',
    placeholder: 'أدخل رقمًا',
    dialPad: 'لوحة الاتصال',
    backspace: 'حذف آخر رقم',
    call: 'اتصال',
    calling: 'جارٍ الاتصال…',
    inCall: 'في مكالمة',
    recent: 'الأرقام الأخيرة',
    recentCall: (formatted) => `استخدام ${formatted}`,
    invalidNumber: 'هذا ليس رقم هاتف كاملًا بعد.',
  },
  callControls: {
    group: 'عناصر التحكم في المكالمة',
    mute: 'كتم',
    hold: 'انتظار',
    keypad: 'لوحة المفاتيح',
    transfer: 'تحويل',
    hangup: 'إنهاء المكالمة',
    phases: {
      requesting: 'جارٍ بدء المكالمة…',
      dialing: 'جارٍ الطلب…',
      ringing: 'يرن…',
      connecting: 'جارٍ الاتصال…',
      connected: 'متصل',
      reconnecting: 'انقطع الاتصال، جارٍ إعادة الاتصال…',
    },
  },
  incomingCallOverlay: {
    title: 'مكالمة واردة',
    answer: 'رد',
    decline: 'رفض',
    unknownCaller: 'متصل غير معروف',
  },
}
