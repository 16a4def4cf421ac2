import { isIP } from 'node:net';
import { usageError } from './exit-codes.js';
import type { Sans } from './x509-issue.js';

/** `--san uri:spiffe://x/acme`, `--san dns:acme.example`, `--san ip:127.0.0.1`, or a bare value (a URI when it has "://"). */
export function parseSans(values: readonly string[]): Sans {
  const out: Sans = { uris: [], dns: [], ips: [] };
  if (values.length > 16) throw usageError('at most 16 --san values');
  for (const v of values) {
    const m = /^(uri|dns|ip):(.+)$/i.exec(v);
    const kind = m ? m[1]!.toLowerCase() : v.includes('://') ? 'uri' : isIP(v) ? 'ip' : 'dns';
    const value = m ? m[2]! : v;
    if (kind === 'uri') {
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) throw usageError(`--san ${v}: not a URI`);
      out.uris.push(value);
    } else if (kind === 'ip') {
      if (!isIP(value)) throw usageError(`--san ${v}: not an IP address`);
      out.ips.push(value);
    } else {
      if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(value)) throw usageError(`--san ${v}: not a DNS name`);
      out.dns.push(value.toLowerCase());
    }
  }
  return out;
}
