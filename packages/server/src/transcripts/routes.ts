import { paramRoute } from '../http/paramRoute'
import { getTranscript } from './transcriptOperations'

/** The stored transcript of a call. */
export const transcriptRoutes = [paramRoute('GET', '/calls/:id/transcript', getTranscript)]
