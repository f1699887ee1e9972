/*
 * Readiness per data-plane mode: whether a workload would be ready with a
 * sidecar and in ambient mode, and what blocks each; and, for a team or the
 * organisation, how many workloads each mode suits and which rules block it.
 */
import { StatusError, StatusOK } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import {
  DataPlaneModes,
  Finding,
  ModeSummary,
  RuleDefinition,
} from '@mesh-readiness/plugin-mesh-readiness-common';

const MODE_NAMES = { sidecar: 'sidecar', ambient: 'ambient' } as const;
type Mode = keyof typeof MODE_NAMES;
const MODES: Mode[] = ['sidecar', 'ambient'];

const ruleLabel = (id: string, rules?: Map<string, RuleDefinition>) => {
  const title = rules?.get(id)?.title;
  return title ? `${id} ${title}` : id;
};

/**
 * One line per mode on a workload card: "Ready for ambient" or what blocks
 * it. Under a blocked mode, what each blocking rule says there, unless the
 * workload's own finding (judged in the mode it runs in) already says it.
 */
export function WorkloadModes(props: {
  modes?: DataPlaneModes;
  rules?: Map<string, RuleDefinition>;
  findings?: Finding[];
}) {
  const { modes, rules, findings = [] } = props;
  if (!modes) return null;
  const ownMessage = new Map(findings.map(f => [f.ruleId, f.message]));
  return (
    <Box mb={2} data-testid="workload-modes">
      {MODES.map(mode => {
        const { ready, blocking, messages = {} } = modes[mode];
        const reasons = blocking.filter(
          id => messages[id] && messages[id] !== ownMessage.get(id),
        );
        return (
          <Box key={mode}>
            <Typography variant="body2" component="div">
              {ready ? (
                <StatusOK>Ready for {MODE_NAMES[mode]}</StatusOK>
              ) : (
                <StatusError>
                  Not ready for {MODE_NAMES[mode]}: blocked by{' '}
                  {blocking.map(id => ruleLabel(id, rules)).join(', ')}
                </StatusError>
              )}
            </Typography>
            {reasons.length > 0 && (
              <Box
                component="ul"
                mt={0.5}
                mb={1}
                pl={4}
                data-testid={`mode-reasons-${mode}`}
              >
                {reasons.map(id => (
                  <Typography
                    key={id}
                    component="li"
                    variant="body2"
                    color="textSecondary"
                  >
                    {id} in {MODE_NAMES[mode]} mode: {messages[id]}
                  </Typography>
                ))}
              </Box>
            )}
          </Box>
        );
      })}
    </Box>
  );
}

/** A scorecard's per-mode counts: ready workloads, and the rules blocking each mode most. */
export function ModeSummaryList(props: {
  modes?: Record<Mode, ModeSummary>;
  limit?: number;
}) {
  const { modes, limit = 3 } = props;
  if (!modes || modes.ambient.workloads === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No workload has been judged per data-plane mode yet.
      </Typography>
    );
  }
  return (
    <Box data-testid="mode-summary">
      {MODES.map(mode => {
        const { workloads, readyWorkloads, blocking } = modes[mode];
        return (
          <Box key={mode} mb={1}>
            <Typography variant="body1">
              <strong>
                {readyWorkloads} / {workloads}
              </strong>{' '}
              workloads ready for {MODE_NAMES[mode]}
            </Typography>
            {blocking.length > 0 && (
              <Typography variant="body2" color="textSecondary">
                Blocked most by{' '}
                {blocking
                  .slice(0, limit)
                  .map(b => `${b.ruleId} (${b.workloads})`)
                  .join(', ')}
              </Typography>
            )}
          </Box>
        );
      })}
    </Box>
  );
}
