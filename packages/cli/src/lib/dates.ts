import { usageError } from './exit-codes.js';

/** An ISO date or date-time (`2026-01-31`, `2026-01-31T12:00:00Z`) for staging validity windows. */
export function parseDate(text: string, flag: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(d.getTime())) throw usageError(`${flag} must be an ISO date such as 2026-01-31 (got ${text})`);
  return d;
}
