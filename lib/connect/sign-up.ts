import { ConfigError } from '#lib/errors.ts';

/**
 * Who may become a new person in Sinew (DESIGN section 1, "Who is who"): nobody until the
 * administrator says so, anyone only when they say `*`, otherwise people whose address is
 * at one of the listed domains. "Anyone" is a choice, never what a forgotten setting means.
 * The rule admits people, not mailboxes: a person already in Sinew is not asked again.
 */
export type SignUpRule = { kind: 'closed' } | { kind: 'anyone' } | { kind: 'domains'; domains: readonly string[] };

/** The entry that admits anyone. */
export const ANYONE = '*';

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * The rule from the configured entries (`SINEW_ALLOWED_DOMAINS` split on commas, or the
 * local default): empty entries are ignored, domains are lower-cased and may start with
 * `@`. No entry at all closes sign-up; `*` alone opens it to anyone.
 * @throws ConfigError naming the entry that is not a domain, or `*` mixed with domains.
 */
export function signUpRule(entries: readonly string[]): SignUpRule {
  const domains = entries.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter((d) => d !== '');
  if (domains.length === 0) return { kind: 'closed' };
  if (domains.includes(ANYONE)) {
    if (domains.length > 1) throw new ConfigError(`allowed domains: "${ANYONE}" admits anyone; give either "${ANYONE}" or a list of domains, not both`);
    return { kind: 'anyone' };
  }
  const bad = domains.find((d) => !HOSTNAME.test(d));
  if (bad !== undefined) throw new ConfigError(`allowed domains: expected a domain such as acme.com for each entry (got "${bad}")`);
  return { kind: 'domains', domains: [...new Set(domains)] };
}

/** `SINEW_ALLOWED_DOMAINS`: a comma list, `*`, or empty (nobody). */
export function parseAllowedDomains(raw: string | undefined): SignUpRule {
  return signUpRule((raw ?? '').split(','));
}

/** True when the rule lets a new person with this (normalized) address sign up. */
export function admits(rule: SignUpRule, address: string): boolean {
  if (rule.kind === 'anyone') return true;
  if (rule.kind === 'closed') return false;
  return rule.domains.includes(address.slice(address.lastIndexOf('@') + 1));
}
