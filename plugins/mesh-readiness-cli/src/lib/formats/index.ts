/*
 * One function per output format; `check` picks one by name.
 */
import type { CheckOutcome } from '../check';
import { formatTable } from './table';
import { formatJson } from './json';
import { formatSarif } from './sarif';
import { formatJunit } from './junit';
import { formatGithub } from './github';
import { formatMarkdown } from './markdown';

export const FORMATS = [
  'table',
  'json',
  'sarif',
  'junit',
  'github',
  'markdown',
] as const;
export type Format = (typeof FORMATS)[number];

/** Formats that print readiness per data-plane mode; the others need no judging per mode. */
export function showsModes(format: Format): boolean {
  return format === 'json';
}

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export function formatReport(format: Format, outcome: CheckOutcome): string {
  switch (format) {
    case 'json':
      return formatJson(outcome);
    case 'sarif':
      return formatSarif(outcome);
    case 'junit':
      return formatJunit(outcome);
    case 'github':
      return formatGithub(outcome);
    case 'markdown':
      return formatMarkdown(outcome);
    default:
      return formatTable(outcome);
  }
}
