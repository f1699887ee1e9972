/*
 * Safe readers for untrusted Kubernetes objects: every accessor tolerates
 * missing fields and wrong types, so a rule never throws on bad input.
 */
import { KubeObject } from '../types';
import { asLabels, Labels } from './labels';

export function isRecord(value: unknown): value is Record<string, any> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

export function asArray<T = any>(value: unknown): T[] {
  return Array.isArray(value)
    ? value.filter(v => v !== null && v !== undefined)
    : [];
}

/**
 * Visits each object entry of a list with its index as asArray counts it:
 * null and missing entries are not counted; other entries that are not
 * objects are counted but not visited. Nothing happens for a non-list.
 */
export function forEachRecord(
  list: unknown,
  visit: (entry: Record<string, any>, index: number) => void,
): void {
  if (!Array.isArray(list)) return;
  let index = -1;
  for (const entry of list) {
    if (entry === null || entry === undefined) continue;
    index++;
    if (isRecord(entry)) visit(entry, index);
  }
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/** A port number: an integer from 1 to 65535, from a number or a numeric string. */
export function asPortNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value >= 1 && value <= 65535 ? value : undefined;
  }
  return undefined;
}

export function nameOf(obj: KubeObject): string {
  return asString(obj.metadata?.name) ?? '';
}

/** Manifests without a namespace land in `default`, as kubectl applies them. */
export function namespaceOf(obj: KubeObject): string {
  return asString(obj.metadata?.namespace) || 'default';
}

export function labelsOf(meta: unknown): Labels {
  return isRecord(meta) ? asLabels(meta.labels) : {};
}

export function annotationsOf(meta: unknown): Labels {
  return isRecord(meta) ? asLabels(meta.annotations) : {};
}

export function objectRef(obj: KubeObject): string {
  return `${obj.kind ?? 'Object'} ${namespaceOf(obj)}/${nameOf(obj)}`;
}

/** Orders strings by code unit: stable, and far cheaper than localeCompare. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
