// What the README examples leave to you, declared once for scripts/check-readme-blocks.mjs. Only
// names that stand for your own application appear here; everything hookguard, Node or a framework
// provides is imported in the blocks themselves.

/** A tenant's webhook settings as your database keeps them. */
type ReadmeTenantRecord = {
  /** Signing secrets, newest first (`whsec_...`). */
  secrets: string[];
  /** The account the tenant's payloads must name (accountClaim). */
  account?: string;
  /** PEM of the CA that issues the tenant's client certificates (mutual TLS). */
  caPem?: string;
};

/** `db`: your database or secrets manager. */
declare const db: {
  tenants: { find(id: string): Promise<ReadmeTenantRecord | undefined> };
  invoices: { markPaid(tenant: string, invoiceId: string): Promise<void> };
};
