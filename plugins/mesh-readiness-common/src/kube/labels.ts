/*
 * Kubernetes label selector semantics, as the API server applies them.
 */

/** @public */
export type Labels = Record<string, string>;

/** @public */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/**
 * The `metav1.LabelSelector` shape used by workloads.
 *
 * @public
 */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * The pod labels Istio takes a workload's canonical name from, in the
 * order it reads them: the first one set wins (MR005).
 *
 * @public
 */
export const CANONICAL_NAME_LABELS: readonly string[] = [
  'service.istio.io/canonical-name',
  'app.kubernetes.io/name',
  'app',
];

/**
 * The pod labels Istio takes a workload's canonical revision from, in the
 * order it reads them: the first one set wins (MR005).
 *
 * @public
 */
export const CANONICAL_REVISION_LABELS: readonly string[] = [
  'service.istio.io/canonical-revision',
  'app.kubernetes.io/version',
  'version',
];

/** Reads a labels map from untrusted input: anything else is empty. */
export function asLabels(value: unknown): Labels {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  // Most input is already a map of strings: use it as it is.
  let clean = true;
  for (const key in value as Record<string, unknown>) {
    if (typeof (value as Record<string, unknown>)[key] !== 'string') {
      clean = false;
      break;
    }
  }
  if (clean && Object.getPrototypeOf(value) === Object.prototype)
    return value as Labels;
  const labels: Labels = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') continue;
    labels[key] = String(v);
  }
  return labels;
}

/**
 * A Service's `spec.selector`: a plain map, every pair must match.
 * A Service with no selector (or an empty one) selects no pods: its
 * endpoints are managed by hand.
 *
 * @public
 */
export function serviceSelects(selector: unknown, podLabels: Labels): boolean {
  const wanted = asLabels(selector);
  const keys = Object.keys(wanted);
  if (keys.length === 0) return false;
  return keys.every(k => podLabels[k] === wanted[k]);
}

function requirementMatches(
  req: LabelSelectorRequirement,
  labels: Labels,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = Array.isArray(req.values) ? req.values.map(String) : [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]);
    case 'NotIn':
      return !has || !values.includes(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // An unknown operator is rejected by the API server; match nothing.
      return false;
  }
}

/**
 * A workload's `metav1.LabelSelector`. An empty selector matches
 * everything, as in Kubernetes; a missing one matches nothing.
 *
 * @public
 */
export function labelSelectorMatches(
  selector: LabelSelector | undefined | null,
  labels: Labels,
): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const matchLabels = asLabels(selector.matchLabels);
  for (const [k, v] of Object.entries(matchLabels)) {
    if (labels[k] !== v) return false;
  }
  const expressions = Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions
    : [];
  return expressions.every(req => requirementMatches(req, labels));
}

/**
 * Parses the string form of a label selector, as `kubectl -l` and the
 * `backstage.io/kubernetes-label-selector` annotation write it:
 * `app=web,tier!=db,env in (prod,staging),!legacy,track`.
 * Throws an Error naming the bad part.
 *
 * @public
 */
export function parseLabelSelector(text: string): LabelSelector {
  const matchLabels: Labels = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  const parts: string[] = [];
  // Split on commas that are not inside parentheses.
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  const key = '([A-Za-z0-9][-A-Za-z0-9_./]*)';
  const equality = new RegExp(`^${key}\\s*(==?|!=)\\s*([-A-Za-z0-9_.]*)$`);
  const set = new RegExp(`^${key}\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
  const absent = new RegExp(`^!\\s*${key}$`);
  const present = new RegExp(`^${key}$`);
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.match(equality);
    const inSet = eq ? null : part.match(set);
    const not = eq || inSet ? null : part.match(absent);
    const has = eq || inSet || not ? null : part.match(present);
    if (eq && eq[2] === '!=') {
      matchExpressions.push({ key: eq[1], operator: 'NotIn', values: [eq[3]] });
    } else if (eq) {
      matchLabels[eq[1]] = eq[3];
    } else if (inSet) {
      const values = inSet[3]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean);
      matchExpressions.push({
        key: inSet[1],
        operator: inSet[2] === 'in' ? 'In' : 'NotIn',
        values,
      });
    } else if (not) {
      matchExpressions.push({ key: not[1], operator: 'DoesNotExist' });
    } else if (has) {
      matchExpressions.push({ key: has[1], operator: 'Exists' });
    } else {
      throw new Error(
        `Invalid label selector "${text}": cannot read "${part}"`,
      );
    }
  }
  return { matchLabels, matchExpressions };
}

/**
 * Formats a selector map the way kubectl prints it: `app=web,tier=fe`.
 *
 * @public
 */
export function formatSelector(selector: unknown): string {
  return Object.entries(asLabels(selector))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
