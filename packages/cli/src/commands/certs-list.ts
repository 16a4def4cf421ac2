import { join } from 'node:path';
import { EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { loadPki } from '../lib/pki-store.js';
import { expiryOf, type ExpiryState } from '../lib/expiry.js';
import { mark } from '../lib/style.js';

export interface CertsListOptions {
  dir: string;
  /** Clock, ms (tests and "what will it look like on ..."); default now. */
  now?: number;
}

export type ListStatus = ExpiryState | 'revoked' | 'retired';

export interface ListEntry {
  kind: 'root' | 'tenant-ca' | 'crl' | 'client' | 'server';
  tenant: string | null;
  serial: string;
  subject: string;
  names: string[];
  notAfter: string;
  daysLeft: number;
  status: ListStatus;
  file: string;
}

export interface CertsListJson {
  dir: string;
  entries: ListEntry[];
  /** Entries in use that have expired or have under 7 days left (exit code 1). */
  urgent: number;
  /** Entries in use with under 30 days left. */
  warnings: number;
}

const STATUS_TEXT: Record<ListStatus, string> = {
  ok: 'ok',
  'warn-30': 'under 30 days',
  'warn-7': 'under 7 days',
  expired: 'EXPIRED',
  'not-yet-valid': 'not yet valid',
  revoked: 'revoked',
  retired: 'retired',
};

/** Every certificate and CRL of the PKI with its days left; warns at 30 and 7 days. */
export async function certsList(o: CertsListOptions): Promise<CommandOutput<CertsListJson>> {
  const index = await loadPki(o.dir);
  const now = o.now ?? Date.now();
  const entries: ListEntry[] = [];
  const push = (e: Omit<ListEntry, 'daysLeft' | 'status'>, notBefore: string, override?: ListStatus) => {
    const x = expiryOf(new Date(notBefore), new Date(e.notAfter), now);
    // CRLs live for weeks and are re-signed often: only their last 7 days are worth a warning.
    const state = e.kind === 'crl' && x.state === 'warn-30' ? 'ok' : x.state;
    entries.push({ ...e, file: join(o.dir, e.file), daysLeft: x.daysLeft, status: override ?? state });
  };
  const r = index.root;
  push({ kind: 'root', tenant: null, serial: r.serial, subject: r.subject, names: [], notAfter: r.notAfter, file: r.cert }, r.notBefore);
  for (const [tenant, t] of Object.entries(index.tenants)) {
    for (const ca of t.cas) {
      const off = ca.revokedAt ? 'revoked' : ca.retiredAt ? 'retired' : undefined;
      push({ kind: 'tenant-ca', tenant, serial: ca.serial, subject: ca.subject, names: [], notAfter: ca.notAfter, file: ca.cert }, ca.notBefore, off);
      // A CRL past its nextUpdate makes hookguard refuse all of the tenant's certificates: it expires like one.
      push({ kind: 'crl', tenant, serial: `${ca.serial}#${ca.crlNumber}`, subject: `CRL of ${ca.subject}`, names: [], notAfter: ca.crlNextUpdate, file: ca.crl }, new Date(0).toISOString(), off);
    }
  }
  for (const c of index.certificates) {
    push(
      { kind: c.kind, tenant: c.tenant ?? null, serial: c.serial, subject: c.subject, names: [...c.uris, ...c.dns, ...c.ips], notAfter: c.notAfter, file: c.cert },
      c.notBefore,
      c.revokedAt ? 'revoked' : undefined,
    );
  }
  const urgent = entries.filter((e) => e.status === 'expired' || e.status === 'warn-7').length;
  const warnings = entries.filter((e) => e.status === 'warn-30').length;
  return {
    exitCode: urgent > 0 ? EXIT.problem : EXIT.ok,
    json: { dir: o.dir, entries, urgent, warnings },
    text: (s) => {
      const rows = entries.map((e) => {
        const st = e.status;
        const m = st === 'ok' ? mark(s, 'ok') : st === 'warn-30' ? mark(s, 'warn') : st === 'revoked' || st === 'retired' ? mark(s, 'skip') : mark(s, st === 'warn-7' ? 'warn' : 'fail');
        const days = st === 'revoked' || st === 'retired' ? '' : `${e.daysLeft}d`;
        return `${m} ${e.kind.padEnd(9)} ${(e.tenant ?? '-').padEnd(10)} ${days.padStart(6)}  ${STATUS_TEXT[st].padEnd(13)} ${e.serial}  ${e.subject}${e.names.length ? `  [${e.names.join(', ')}]` : ''}`;
      });
      const summary =
        urgent > 0
          ? s.bad(`${urgent} in use expired or under 7 days: replace them now`)
          : warnings > 0
            ? s.warn(`${warnings} in use under 30 days: plan their replacement`)
            : s.ok('nothing expires within 30 days');
      const header = `     ${'kind'.padEnd(10)}${'tenant'.padEnd(11)}${'left'.padStart(6)}  ${'status'.padEnd(14)}serial  subject`;
      return [s.dim(header), ...rows, summary].join('\n');
    },
  };
}
