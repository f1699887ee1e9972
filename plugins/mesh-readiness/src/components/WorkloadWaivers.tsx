/*
 * A workload's waivers on its card in the tab: each rule waived, why, by
 * whom (where it is declared) and until when; expired ones, which no longer
 * waive anything; and refused ones, whose last day could not be read.
 */
import { ReactNode } from 'react';
import { Box, Typography } from '@material-ui/core';
import { ErrorText } from './visuals';
import {
  waiversOf,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';

function lifetime(until: string | undefined, state: 'active' | 'expired') {
  if (state === 'expired') return `expired on ${until}`;
  return until ? `until ${until}` : 'no end date';
}

function WaiverText(props: { expired: boolean; children: ReactNode }) {
  return props.expired ? (
    <ErrorText variant="body2">{props.children}</ErrorText>
  ) : (
    <Typography variant="body2">{props.children}</Typography>
  );
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
            <WaiverText expired={w.state === 'expired'}>
              <b>{w.ruleId}</b> {lifetime(w.until, w.state)}: {w.reason}{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                ({w.source})
              </Typography>
            </WaiverText>
          </li>
        ))}
        {refused.map(message => (
          <li key={message}>
            <ErrorText variant="body2">Refused: {message}</ErrorText>
          </li>
        ))}
      </Box>
    </Box>
  );
}
