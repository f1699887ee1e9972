/*
 * The team scorecard, a tab on Group entities: every component the team
 * owns, the level distribution, the rules that block most, the trend.
 */
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { ModeSummaryList } from './DataPlaneModes';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { Box, Grid, Typography } from '@material-ui/core';
import {
  ComponentScore,
  FailingRule,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessApiRef } from '../api/MeshReadinessApi';
import { ExpiringWaiversCard } from './ExpiringWaiversCard';
import {
  DistributionBar,
  levelParts,
  LevelChip,
  ScoreBar,
  Sparkline,
  ValueBar,
} from './visuals';

const columns: TableColumn<ComponentScore>[] = [
  {
    title: 'Component',
    field: 'name',
    render: c => (
      <EntityRefLink entityRef={c.entityRef} defaultKind="component" />
    ),
  },
  {
    title: 'Level',
    field: 'level',
    render: c => <LevelChip level={c.level} mapped={c.mapped} />,
    customSort: (a, b) => (a.mapped ? a.level : -1) - (b.mapped ? b.level : -1),
  },
  {
    title: 'Score',
    field: 'score',
    render: c =>
      c.mapped ? <ScoreBar score={c.score} subject={c.name} /> : '–',
  },
  { title: 'Workloads', field: 'workloads', type: 'numeric' },
  { title: 'Ready', field: 'ready', render: c => (c.ready ? 'yes' : 'no') },
];

export function TopFailingRules({ rules }: { rules: FailingRule[] }) {
  if (rules.length === 0)
    return (
      <Typography variant="body2">No rule is failing. Well done.</Typography>
    );
  const max = Math.max(...rules.map(r => r.workloads));
  return (
    <Box>
      {rules.map(r => (
        <Box key={r.ruleId} mb={1}>
          <Typography variant="body2">
            <b>{r.ruleId}</b> {r.title} — {r.workloads} workload
            {r.workloads === 1 ? '' : 's'} ({r.severity})
          </Typography>
          <ValueBar
            value={(r.workloads / max) * 100}
            colour="secondary"
            name={`${r.ruleId} fails on ${r.workloads} workload${
              r.workloads === 1 ? '' : 's'
            }`}
          />
        </Box>
      ))}
    </Box>
  );
}

export function GroupMeshReadinessContent() {
  const { entity } = useEntity();
  const api = useApi(meshReadinessApiRef);
  const { value, loading, error } = useAsync(
    () =>
      api.getGroupScorecard({
        namespace: entity.metadata.namespace ?? 'default',
        name: entity.metadata.name,
      }),
    [api, entity.metadata.namespace, entity.metadata.name],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value || value.components.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="This team owns no components"
        description="Components appear here when their spec.owner is this group."
      />
    );
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4}>
        <InfoCard title="Readiness">
          <Typography variant="h4">
            {value.readyComponents} / {value.components.length}
          </Typography>
          <Typography variant="body2" paragraph>
            components ready · average score {value.averageScore}
          </Typography>
          <DistributionBar parts={levelParts(value.levelDistribution)} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Rules blocking the most workloads">
          <TopFailingRules rules={value.topFailingRules} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Ready for sidecar / ambient">
          <ModeSummaryList modes={value.modes} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Average score over recent scans">
          <Sparkline values={value.trend.map(t => t.averageScore)} />
          {value.trend.length > 0 && (
            <Typography variant="body2" color="textSecondary" component="p">
              {value.trend.length === 1
                ? `One scan so far, average ${value.trend[0].averageScore}; the line grows with the next scans.`
                : `${value.trend.length} scans, from ${
                    value.trend[0].averageScore
                  } to ${value.trend[value.trend.length - 1].averageScore}`}
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <ExpiringWaiversCard waivers={value.expiringWaivers ?? []} />
      </Grid>
      <Grid item xs={12}>
        <Table
          title="Components"
          // Columns that can be dragged nest a focusable handle in each sortable
          // header, which screen readers cannot operate.
          options={{ paging: false, search: false, draggable: false }}
          columns={columns}
          data={value.components}
        />
      </Grid>
    </Grid>
  );
}
