const DAY = 24 * 60 * 60 * 1000;

export type ExpiryState = 'ok' | 'warn-30' | 'warn-7' | 'expired' | 'not-yet-valid';

export interface Expiry {
  daysLeft: number;
  state: ExpiryState;
}

/** Days left (floored) and the warning level: under 30 days, under 7 days, as core's onCertificateExpiring. */
export function expiryOf(notBefore: Date, notAfter: Date, now: number): Expiry {
  const left = notAfter.getTime() - now;
  const daysLeft = Math.floor(left / DAY);
  if (now < notBefore.getTime()) return { daysLeft, state: 'not-yet-valid' };
  if (left < 0) return { daysLeft, state: 'expired' };
  if (left < 7 * DAY) return { daysLeft, state: 'warn-7' };
  if (left < 30 * DAY) return { daysLeft, state: 'warn-30' };
  return { daysLeft, state: 'ok' };
}

export function describeExpiry(e: Expiry, notBefore: Date, notAfter: Date): string {
  switch (e.state) {
    case 'expired':
      return `expired ${-e.daysLeft} day(s) ago (${notAfter.toISOString()})`;
    case 'not-yet-valid':
      return `not valid before ${notBefore.toISOString()}`;
    case 'warn-7':
      return `${e.daysLeft} day(s) left: under 7 days, replace it now`;
    case 'warn-30':
      return `${e.daysLeft} day(s) left: under 30 days, plan its replacement`;
    default:
      return `${e.daysLeft} day(s) left`;
  }
}
