/*
 * The `yaml` library, loaded on first use. The engine's hot path parses
 * with js-yaml; the `yaml` library serves only what needs its positions
 * and limits (documents js-yaml cannot be trusted with, target profile
 * files), and loading it is a tenth of the `mesh-readiness` CLI's start.
 */
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

/**
 * The `yaml` library, required on the first call only: for callers that
 * need positions or its limits on some inputs, without paying its load on
 * every run.
 *
 * @public
 */
export function yamlLibrary(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}
