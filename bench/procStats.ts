/*
 * What Linux's /proc says of a process, for the benchmarks: its memory
 * figures and the CPU time it has used. Linux only, as the benchmarks are.
 */
import fs from 'node:fs';

/** A memory figure of /proc/<pid>/status (VmHWM: the peak RSS; VmRSS: the RSS now), in bytes. */
export function statusBytes(
  pid: number | 'self',
  field: 'VmHWM' | 'VmRSS',
): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find(l => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

/** The CPU time a process has used so far (user and system), in clock ticks. */
export function cpuTicksOf(pid: number): number {
  // utime and stime are the 14th and 15th fields, counted after the command's closing parenthesis.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(after[11]) + Number(after[12]);
}
