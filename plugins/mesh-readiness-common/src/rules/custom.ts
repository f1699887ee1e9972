/*
 * Rules an adopter adds (through the backend's rules extension point):
 * checked once, when they are added, so a bad one stops the backend at
 * start with a clear message instead of producing odd findings later.
 */
import { RULES } from '.';
import { Rule } from './rule';
import { SEVERITY_WEIGHTS } from '../scoring';

/** Upper case, like the built-in ids, so waivers (which upper-case ids) find them. */
const CUSTOM_ID = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

/**
 * Throws, naming the rule, when a custom rule cannot be used as it is.
 *
 * @public
 */
export function validateCustomRules(rules: readonly Rule[]): void {
  const seen = new Set(RULES.map(r => r.id));
  for (const rule of rules) {
    const name = `Custom mesh-readiness rule ${JSON.stringify(rule?.id)}`;
    if (
      typeof rule?.id !== 'string' ||
      !CUSTOM_ID.test(rule.id) ||
      rule.id.length > 32
    ) {
      throw new Error(
        `${name}: the id must be upper-case letters, digits and dashes, at most 32 characters, e.g. ACME001`,
      );
    }
    if (/^MR\d+$/.test(rule.id))
      throw new Error(
        `${name}: ids MR<number> belong to the built-in catalogue`,
      );
    if (seen.has(rule.id)) throw new Error(`${name}: the id is used twice`);
    seen.add(rule.id);
    // Every severity that scoring weighs, and no other.
    if (!Object.prototype.hasOwnProperty.call(SEVERITY_WEIGHTS, rule.severity))
      throw new Error(`${name}: severity must be error, warning or info`);
    for (const field of [
      'title',
      'rationale',
      'remediation',
      'docsUrl',
    ] as const) {
      if (typeof rule[field] !== 'string' || !rule[field].trim())
        throw new Error(`${name}: ${field} is required`);
    }
    if (typeof rule.check !== 'function')
      throw new Error(`${name}: check must be a function`);
  }
}
