/*
 * On the team scorecard: the waivers that run out within the next 14 days,
 * soonest first, so the team fixes the finding before it counts again.
 */
import { InfoCard, Link } from '@backstage/core-components';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Typography } from '@material-ui/core';
import { ExpiringWaiver } from '@mesh-readiness/plugin-mesh-readiness-common';

function WaiverLine({ waiver }: { waiver: ExpiringWaiver }) {
  const entityLink = useEntityRefLink();
  const entity = parseEntityRef(waiver.entityRef);
  const [, kind, namespace, name] = waiver.workload.split('/');
  return (
    <li>
      <Typography variant="body2">
        <b>{waiver.until}</b>{' '}
        {/* Underlined: colour alone does not set a link apart in a line of text. */}
        <Link
          underline="always"
          to={`${entityLink(waiver.entityRef).replace(
            /\/$/,
            '',
          )}/mesh-readiness?rule=${waiver.ruleId}`}
        >
          {entity.name}
        </Link>{' '}
        {kind} {namespace}/{name} · {waiver.ruleId}: {waiver.reason}
      </Typography>
    </li>
  );
}

export function ExpiringWaiversCard({
  waivers,
}: {
  waivers: ExpiringWaiver[];
}) {
  return (
    <InfoCard title="Waivers expiring in the next 14 days">
      {waivers.length === 0 ? (
        <Typography variant="body2">
          No waiver runs out in the next 14 days.
        </Typography>
      ) : (
        <Box component="ul" m={0} pl={2} data-testid="expiring-waivers">
          {waivers.map(w => (
            <WaiverLine key={`${w.workload}-${w.ruleId}`} waiver={w} />
          ))}
        </Box>
      )}
    </InfoCard>
  );
}
