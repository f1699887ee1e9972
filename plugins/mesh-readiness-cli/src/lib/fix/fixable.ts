/*
 * The rules `fix` can fix, on their own so the command line can name them
 * without loading the fixers (and the `yaml` library) for `check`.
 */
export const FIXABLE_RULES = [
  'MR005',
  'MR006',
  'MR011',
  'MR013',
  'MR016',
] as const;

export type FixableRule = (typeof FIXABLE_RULES)[number];
