// Help texts: one per command, printed by --help and on usage errors.
export const VERSION_TEXT = 'hookguard';

export const HELP: Record<string, string> = {
  main: `hookguard: test PKI, signed test deliveries, and a doctor for webhook receivers

Usage: hookguard <command> [options]

  certs init|tenant|issue|server|revoke|crl|rotate-ca|list   a test PKI shaped for receivers
  sign <scheme>      print the headers a sender would send
  send <url>         send a signed delivery (over mTLS with --cert/--key)
  explain            verify a captured delivery offline and name the cause of a failure
  doctor <https-url> probe a live endpoint: TLS, client certificate, signed probes

Every command: --json for scripts, --help. Exit codes: 0 ok, 1 problem found,
2 usage error, 3 cannot run (file, network), 70 internal error.
Schemes: standard-webhooks (svix), stripe, github, slack, shopify.`,
  certs: `Usage: hookguard certs <subcommand> [--dir <folder>] [--json]

  init                     a root CA (the server's ca option, for all tenants)
  tenant <id>              a CA for one tenant, under the root, and its CRL
  issue <tenant> --san <uri|dns> [--san ...] [--days 90] [--cn <name>] [--name <file name>]
                           [--not-before <date>] [--eku clientAuth|serverAuth|none]
                           a client certificate from the tenant's CA
  server [--san dns:localhost --san ip:127.0.0.1] [--days 90]
                           the receiver's own TLS certificate, from the root
  revoke <serial|cert.pem> [--crl-days 30]
                           revoke a client certificate (re-signs the CRL) or a tenant CA
  crl [<tenant>] [--days 30]
                           re-sign CRLs with a fresh nextUpdate
  rotate-ca <tenant> [--finish]
                           a new tenant CA, both trusted until --finish
  list [--at <date>]       every certificate and CRL with days left (warns at 30 and 7)

--dir defaults to $HOOKGUARD_PKI_DIR, else ./hookguard-pki. Keys are written mode 0600
and never printed.`,
  sign: `Usage: hookguard sign <scheme> (--secret-env NAME | --secret-file PATH | --secret VALUE)
                      --body <file|-> [--id <id>] [--timestamp <s|ISO|now-600>] [--json]

Prints the signature headers, one "name: value" per line.`,
  send: `Usage: hookguard send <url> --scheme <scheme> (--secret-env NAME | --secret-file PATH | --secret VALUE)
                      [--body <file|->] [--content-type <type>] [--id <id>] [--timestamp <s|ISO|now-600>]
                      [--header "Name: value"]... [--cert <pem> --key <pem>] [--ca <pem>] [--insecure]
                      [--timeout <seconds>] [--json]

Signs a delivery (default body: a small JSON test event) and prints status, code and problem detail.`,
  explain: `Usage: hookguard explain --scheme <scheme> (--secret-env NAME | --secret-file PATH | --secret VALUE)
                      (--headers <file> | --curl "<curl command>") [--body <file|->]
                      [--keyring <file.json>] [--at <time received>] [--tolerance <seconds>] [--json]

Verifies a captured delivery offline with core's verifier; on failure names the most likely cause.`,
  doctor: `Usage: hookguard doctor <https-url> [--cert <pem> --key <pem>] [--ca <pem>] [--crl <file>]
                      [--scheme <scheme> (--secret-env NAME | --secret-file PATH | --secret VALUE)]
                      [--body <file>] [--timeout <seconds>] [--json]

Probes a live endpoint and names each mTLS and signature failure mode it finds.`,
};
