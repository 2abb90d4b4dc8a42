import { HistoryPanel } from '../../components/HistoryPanel'

/** History page: the tenant's calls with filters, stats, recordings and transcripts. */
export default function HistoryPage() {
  return <HistoryPanel />
}
