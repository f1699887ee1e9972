/*
 * A root logger whose every line (message and fields) is kept, to search
 * for secrets after a run.
 */
import { mockServices } from '@backstage/backend-test-utils';

export function capturingLogger() {
  const lines: string[] = [];
  const logger = mockServices.rootLogger.mock();
  const capture = (level: string) => (message: string, meta?: unknown) =>
    lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const child: any = {
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
    debug: capture('debug'),
  };
  child.child = () => child;
  logger.child.mockImplementation(() => child);
  for (const level of ['info', 'warn', 'error', 'debug'] as const)
    (logger[level] as jest.Mock).mockImplementation(capture(level));
  return { lines, factory: logger.factory };
}
