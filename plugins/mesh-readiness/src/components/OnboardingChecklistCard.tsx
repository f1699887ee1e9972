/*
 * The onboarding checklist for a component's overview: the rules as
 * ordered steps, what is done, what is left, each linking into the tab.
 */
import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import DoneIcon from '@material-ui/icons/CheckCircle';
import TodoIcon from '@material-ui/icons/RadioButtonUnchecked';
import NaIcon from '@material-ui/icons/RemoveCircleOutline';
import {
  EntityReadinessResponse,
  needsAction,
  RuleDefinition,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessApiRef } from '../api/MeshReadinessApi';
import { ValueBar } from './visuals';

type StepState = 'done' | 'todo' | 'n/a';

/** A step is done when no workload still needs it; not applicable when none is concerned. */
export function stepsOf(
  rules: RuleDefinition[],
  report: EntityReadinessResponse,
) {
  return [...rules]
    .sort((a, b) => a.onboardingOrder - b.onboardingOrder)
    .map(rule => {
      const findings = report.workloads.flatMap(w =>
        w.findings.filter(f => f.ruleId === rule.id),
      );
      let state: StepState = 'n/a';
      if (findings.some(needsAction)) state = 'todo';
      else if (findings.some(f => f.status === 'pass' || f.status === 'waived'))
        state = 'done';
      return { rule, state };
    });
}

/**
 * The card sits on the overview; its links go to the component's Mesh
 * Readiness tab by absolute path, so they work from whichever tab hosts it.
 */
export function OnboardingChecklistCard({
  tabPath = 'mesh-readiness',
}: {
  tabPath?: string;
}) {
  const { entity } = useEntity();
  const api = useApi(meshReadinessApiRef);
  const entityLink = useEntityRefLink();
  const tab = `${entityLink(entity).replace(/\/$/, '')}/${tabPath}`;
  const { value, loading, error } = useAsync(async () => {
    const [rules, report] = await Promise.all([
      api.getRules(),
      api.getEntityReadiness({
        kind: entity.kind,
        namespace: entity.metadata.namespace ?? 'default',
        name: entity.metadata.name,
      }),
    ]);
    return { rules: rules.rules, report };
  }, [api, entity.metadata.name, entity.metadata.namespace, entity.kind]);

  let body;
  if (loading) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value!.report.mapped) {
    body = (
      <Typography variant="body2">
        Step 0: map this component to its workloads with the{' '}
        <code>backstage.io/kubernetes-id</code> annotation.{' '}
        <Link to={tab} underline="always">
          How
        </Link>
      </Typography>
    );
  } else if (value!.report.workloads.length === 0) {
    body = (
      <Typography variant="body2">
        No workload of this component was found in any cluster yet, so no step
        can be checked.{' '}
        <Link to={tab} underline="always">
          Details
        </Link>
      </Typography>
    );
  } else {
    const steps = stepsOf(value!.rules, value!.report);
    const applicable = steps.filter(s => s.state !== 'n/a');
    const done = applicable.filter(s => s.state === 'done').length;
    body = (
      <>
        <Box display="flex" alignItems="center" mb={1}>
          <Box flexGrow={1} mr={1}>
            <ValueBar
              value={applicable.length ? (done / applicable.length) * 100 : 100}
              name={`onboarding progress: ${done} of ${applicable.length} steps done`}
            />
          </Box>
          <Typography variant="body2">
            {done} of {applicable.length} steps done
          </Typography>
        </Box>
        <List dense>
          {steps.map(({ rule, state }, i) => (
            <ListItem
              key={rule.id}
              data-testid={`step-${rule.id}`}
              data-state={state}
            >
              <ListItemIcon>
                {state === 'done' && (
                  <DoneIcon style={{ color: '#2e7d32' }} titleAccess="done" />
                )}
                {state === 'todo' && (
                  <TodoIcon color="secondary" titleAccess="to do" />
                )}
                {state === 'n/a' && (
                  <NaIcon color="disabled" titleAccess="not applicable" />
                )}
              </ListItemIcon>
              <ListItemText
                primary={
                  <Link to={`${tab}?rule=${rule.id}`}>{`${i + 1}. ${
                    rule.title
                  }`}</Link>
                }
                secondary={state === 'todo' ? rule.remediation : undefined}
                secondaryTypographyProps={{
                  style: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
                }}
              />
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return (
    <div data-testid="mesh-onboarding-checklist">
      <InfoCard title="Mesh onboarding checklist">{body}</InfoCard>
    </div>
  );
}
