/** The version of @ringline/core. */
export const VERSION = '0.1.0'
