/*
 * `mesh-readiness fix PATH...`: placeholder until the fixers land.
 */
export async function fixMain(_argv: string[]): Promise<number> {
  process.stderr.write('mesh-readiness: fix is not available yet\n');
  return 2;
}
