/*
 * A workload's waivers on its card in the tab: each rule waived, why, by
 * whom (where it is declared) and until when; expired ones, which no longer
 * waive anything; and refused ones, whose last day could not be read.
 */
import { Box, Typography } from '@material-ui/core';
import {
  waiversOf,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';

function lifetime(until: string | undefined, state: 'active' | 'expired') {
  if (state === 'expired') return `expired on ${until}`;
  return until ? `until ${until}` : 'no end date';
}

export function WorkloadWaivers({ workload }: { workload: WorkloadReport }) {
  const waivers = waiversOf(workload);
  const refused = workload.waiverErrors ?? [];
  if (waivers.length === 0 && refused.length === 0) return null;
  return (
    <Box mb={2} data-testid="workload-waivers">
      <Typography variant="overline">Waivers</Typography>
      <Box component="ul" m={0} pl={2}>
        {waivers.map(w => (
          <li key={`${w.ruleId}-${w.state}`}>
            <Typography
              variant="body2"
              color={w.state === 'expired' ? 'error' : 'textPrimary'}
            >
              <b>{w.ruleId}</b> {lifetime(w.until, w.state)}: {w.reason}{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                ({w.source})
              </Typography>
            </Typography>
          </li>
        ))}
        {refused.map(message => (
          <li key={message}>
            <Typography variant="body2" color="error">
              Refused: {message}
            </Typography>
          </li>
        ))}
      </Box>
    </Box>
  );
}
