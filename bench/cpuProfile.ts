/*
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went
 * within a window of it: self time by package and by function, and the time
 * spent under each of a few named functions (inclusive).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which package a script belongs to: ours by folder, others by their node_modules name. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const ours = /\/plugins\/(mesh-readiness[^/]*)\//.exec(url);
  if (ours) return `ours: ${ours[1]}`;
  const dep = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1];
  if (url.startsWith('node:')) return 'node';
  return url;
}

const ms = (us: number) => (us / 1000).toFixed(0);

/**
 * Prints where the profile's samples between `fromUs` and `toUs` (on the
 * monotonic clock, as process.hrtime gives it) went.
 */
export function summarizeProfile(
  file: string,
  fromUs: number,
  toUs: number,
  inclusiveOf: string[],
): void {
  const profile: Profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }

  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveOf.map(name => [name, 0]));
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id)!;
    const pkg = packageOf(callFrame.url, callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${callFrame.functionName || '(anonymous)'} ${pkg}:${
      callFrame.lineNumber + 1
    }`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    // Each named function counts once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = parent.get(at)
    ) {
      const name = byId.get(at)!.callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, inclusive.get(name)! + us);
      }
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${ms(us).padStart(
            6,
          )} ms  ${k}`,
      );
  console.log(`CPU profile: ${ms(total)} ms sampled in the load window`);
  console.log('Self time by package:');
  console.log(top(byPackage, 25).join('\n'));
  console.log('Self time by function:');
  console.log(top(byFunction, 40).join('\n'));
  if (inclusiveOf.length) {
    console.log(
      'Time under these functions (inclusive; synchronous work only):',
    );
    console.log(top(inclusive, inclusiveOf.length).join('\n'));
  }
}
