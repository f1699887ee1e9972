/*
 * `mesh-readiness fix PATH... [--write] [--rules MR005,...]`: runs the
 * rules, then the fixes of the findings that have one. Prints a unified
 * diff, or with --write edits the files. Only the documents a fix changes
 * are written anew (the others keep their bytes), and a file with any
 * document that cannot be read is never touched.
 */
import fs from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { Document, parseAllDocuments } from 'yaml';
import {
  applyTargetProfile,
  evaluate,
  KubeObject,
  ObjectSource,
  splitDocuments,
  needsAction,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { readInputs } from '../readInputs';
import { loadTarget } from '../target';
import { workloadId } from '../gate';
import { Editable } from './fixers';
import { FIXERS } from './registry';
import type { FixFlags } from './fixCommand';

interface FileEdit {
  text: string;
  bom: boolean;
  chunks: Array<{
    text: string;
    line: number;
    docs?: Document[];
    changed?: boolean;
  }>;
}

export interface FixResult {
  exitCode: 0 | 2;
  /** The diff, or what --write did. */
  stdout: string;
  /** One line per finding: fixed, or why not. */
  notes: string[];
  /** The new text of each changed file. */
  changed: Map<string, string>;
}

export async function fix(
  paths: string[],
  options: {
    write: boolean;
    rules?: string[];
    target?: { file?: string; cwd?: string };
  },
): Promise<FixResult> {
  const inputs = await readInputs(paths);
  const target = options.target
    ? loadTarget(options.target.file, options.target.cwd ?? process.cwd())
    : { errors: [] };
  const report = evaluate(
    applyTargetProfile(
      { source: 'manifests', objects: inputs.objects },
      target.profile,
    ),
  );
  const unreadable = new Set(inputs.errors.map(e => e.file));
  const notes: string[] = inputs.errors.map(
    e => `not touched: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`,
  );
  const files = new Map<string, FileEdit>();

  const byKey = new Map<string, { object: KubeObject; source: ObjectSource }>();
  for (const object of inputs.objects) {
    const source = inputs.sources.get(object);
    if (!source) continue;
    const ns =
      object.metadata?.namespace ??
      (object.kind === 'Namespace' ? undefined : 'default');
    byKey.set(`${object.kind}/${ns ?? ''}/${object.metadata?.name}`, {
      object,
      source,
    });
  }
  const editable = (
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Editable | undefined => {
    const found = byKey.get(`${kind}/${namespace ?? ''}/${name}`);
    if (
      !found ||
      found.source.file === '<stdin>' ||
      unreadable.has(found.source.file)
    )
      return undefined;
    const file = files.get(found.source.file) ?? readForEdit(found.source.file);
    if (!file) return undefined;
    files.set(found.source.file, file);
    const chunk = file.chunks.find(c => c.line === found.source.document.line);
    if (!chunk) return undefined;
    chunk.docs ??= parseAllDocuments(chunk.text, {
      keepSourceTokens: false,
    }) as Document[];
    const doc = chunk.docs[found.source.documentIndex];
    if (!doc || doc.errors.length > 0) return undefined;
    const changed = () => {
      chunk.changed = true;
    };
    return { doc, path: found.source.path, object: found.object, changed };
  };

  for (const w of report.workloads) {
    for (const finding of w.findings) {
      const fixer = FIXERS[finding.ruleId];
      if (!fixer || !needsAction(finding)) continue;
      if (options.rules && !options.rules.includes(finding.ruleId)) continue;
      const workload = editable(w.kind, w.namespace, w.name);
      if (!workload) {
        notes.push(
          `not fixed: ${workloadId(w)} ${
            finding.ruleId
          }: its file cannot be edited (standard input, or a document that cannot be read)`,
        );
        continue;
      }
      const outcome = fixer({ finding, workload, find: editable });
      notes.push(
        outcome.changed
          ? `fixed: ${workloadId(w)} ${finding.ruleId}: ${outcome.what.join(
              '; ',
            )}`
          : `not fixed: ${workloadId(w)} ${finding.ruleId}: ${outcome.why}`,
      );
    }
  }

  const changed = new Map<string, string>();
  const out: string[] = [];
  for (const [file, edit] of files) {
    if (!edit.chunks.some(c => c.changed)) continue;
    const text =
      (edit.bom ? '\ufeff' : '') +
      edit.chunks
        .map(c => (c.changed ? rewrite(c.text, c.docs!) : c.text))
        .join('');
    if (text === edit.text) continue;
    changed.set(file, text);
    if (options.write) {
      fs.writeFileSync(file, text);
      out.push(`wrote ${file}`);
    } else {
      // The patch without its `Index:` and `===` header lines, as `git diff` prints it.
      out.push(
        createTwoFilesPatch(file, file, edit.text, text, '', '', {
          context: 3,
        }).replace(/^Index: .*\n=+\n/, ''),
      );
    }
  }
  return {
    exitCode: inputs.errors.length > 0 ? 2 : 0,
    stdout: out.join(options.write ? '\n' : ''),
    notes,
    changed,
  };
}

/** A changed document's new text, written as close to the old layout as the yaml library allows. */
function rewrite(original: string, docs: Document[]): string {
  // Long strings are never folded; flow maps keep the padding the file used.
  const options = {
    lineWidth: 0,
    flowCollectionPadding: /[{[] \S/.test(original),
  };
  return docs.map(d => d.toString(options)).join('');
}

function readForEdit(file: string): FileEdit | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  return { text, bom, chunks: splitDocuments(bom ? text.slice(1) : text) };
}

/** `fix` as its flags ask, printing notes to stderr and the diff (or what --write did) to stdout; the exit status. */
export default async function runFix(
  paths: string[],
  flags: FixFlags,
): Promise<number> {
  const rules = flags.rules
    ?.split(',')
    .map(r => r.trim().toUpperCase())
    .filter(Boolean);
  const unknown = rules?.filter(r => !FIXERS[r]);
  if (unknown && unknown.length > 0) {
    process.stderr.write(
      `mesh-readiness: no fix for ${unknown.join(', ')} (fixes: ${Object.keys(
        FIXERS,
      ).join(', ')})\n`,
    );
    return 2;
  }
  const result = await fix(paths, {
    write: !!flags.write,
    rules,
    target:
      flags.target === false
        ? undefined
        : { file: flags.target, cwd: process.cwd() },
  });
  for (const note of result.notes)
    process.stderr.write(`mesh-readiness: ${note}\n`);
  if (result.stdout) process.stdout.write(`${result.stdout}\n`);
  return result.exitCode;
}
