import type { TenantConfig } from '@hookguard/core';

// Demo data: in a real app this is your database or secrets manager. A Map, not a plain object:
// `TENANTS['constructor']` would find Object's own members.
export const TENANTS = new Map<string, TenantConfig>([
  ['acme', { account: 'acct_acme', secrets: [{ id: 'acme-2026', secret: process.env.ACME_SECRET ?? 'whsec_ZGVtby1hY21lLXNlY3JldC0wMTIzNDU2Nzg5YWI=' }] }],
  ['globex', { account: 'acct_globex', secrets: [{ id: 'globex-2026', secret: process.env.GLOBEX_SECRET ?? 'whsec_ZGVtby1nbG9iZXgtc2VjcmV0LTAxMjM0NTY3ODk=' }] }],
]);
