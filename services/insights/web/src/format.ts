const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export const formatInteger = (n: number) => integer.format(Math.round(n));
export const formatMinutes = (minutes: number) => integer.format(Math.round(minutes));
export const formatDecimal = (n: number) => oneDecimal.format(n);
export const formatPercent = (share: number | null) =>
  share === null ? '–' : `${oneDecimal.format(share * 100)}%`;

/** "+12.5%" / "−3.0%" against the previous period, or null when there is nothing to compare with. */
export function formatChange(change: number | null): string | null {
  if (change === null) return null;
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  return `${sign}${oneDecimal.format(Math.abs(change) * 100)}%`;
}

/** "Top 3%" style, rounded up so that the best listener never reads "top 0%". */
export const formatTopPercent = (percent: number) => `top ${Math.max(1, Math.ceil(percent))}%`;

export const formatHour = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

export function formatTime(iso: string | null): string {
  if (!iso) return 'never';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatAgo(iso: string | null, now: number): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const DEVICE_NAMES: Record<string, string> = {
  mobile: 'Mobile',
  desktop: 'Desktop',
  web: 'Web player',
  tablet: 'Tablet',
  smart_speaker: 'Smart speaker',
  tv: 'TV',
  car: 'Car',
  console: 'Console',
};
