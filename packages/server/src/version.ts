/** The version of @ringline/server. */
export const VERSION = '0.1.0'
