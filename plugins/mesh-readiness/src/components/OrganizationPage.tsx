/*
 * The organisation page: every team, how far along it is.
 */
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Grid, Typography } from '@material-ui/core';
import { ValueBar } from './visuals';
import { TeamSummary } from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessApiRef } from '../api/MeshReadinessApi';
import { TopFailingRules } from './GroupScorecardContent';
import { ClustersCard } from './ClustersCard';
import { ModeSummaryList } from './DataPlaneModes';

const teamName = (t: TeamSummary) => t.title ?? parseEntityRef(t.groupRef).name;

/** Straight to the team's scorecard tab, not to the group's overview. */
function TeamScorecardLink({ team }: { team: TeamSummary }) {
  const entityLink = useEntityRefLink();
  const base = entityLink(team.groupRef).replace(/\/$/, '');
  return <Link to={`${base}/mesh-readiness`}>{teamName(team)}</Link>;
}

const columns: TableColumn<TeamSummary>[] = [
  {
    title: 'Team',
    field: 'groupRef',
    customSort: (a, b) => teamName(a).localeCompare(teamName(b)),
    render: t => <TeamScorecardLink team={t} />,
  },
  {
    title: 'Ambient-ready workloads',
    field: 'ambientReadyWorkloads',
    render: t =>
      t.workloads ? `${t.ambientReadyWorkloads ?? 0}/${t.workloads}` : '–',
  },
  {
    title: 'Ready components',
    field: 'readyShare',
    defaultSort: 'desc',
    render: t => (
      <Box display="flex" alignItems="center" minWidth={120}>
        <Box flexGrow={1} mr={1}>
          <ValueBar
            value={t.readyShare * 100}
            name={`${teamName(t)}: ${t.readyComponents} of ${
              t.components
            } components ready`}
          />
        </Box>
        <Typography variant="body2">
          {t.readyComponents}/{t.components}
        </Typography>
      </Box>
    ),
  },
  { title: 'Average score', field: 'averageScore', type: 'numeric' },
  { title: 'Mapped', field: 'mappedComponents', type: 'numeric' },
  { title: 'Components', field: 'components', type: 'numeric' },
];

export function OrganizationContent() {
  const api = useApi(meshReadinessApiRef);
  const { value, loading, error } = useAsync(
    () => api.getOrganizationScorecard(),
    [api],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value || value.teams.length === 0) {
    // Whether the clusters are read matters most when nothing shows yet.
    return (
      <Grid container spacing={3}>
        <Grid item xs={12} lg={8}>
          <EmptyState
            missing="data"
            title="No team owns a component yet"
            description="Teams appear here once the catalog has components with an owner."
          />
        </Grid>
        <Grid item xs={12} lg={4}>
          <ClustersCard />
        </Grid>
      </Grid>
    );
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} lg={8}>
        <Table
          title="Teams"
          // Draggable columns nest a focusable handle in each sortable header.
          options={{ paging: false, search: true, draggable: false }}
          columns={columns}
          data={value.teams}
        />
      </Grid>
      <Grid item xs={12} lg={4}>
        <InfoCard title="Rules blocking the most workloads">
          <TopFailingRules rules={value.topFailingRules} />
        </InfoCard>
        <Box mt={3}>
          <InfoCard title="Ready for sidecar / ambient">
            <ModeSummaryList modes={value.modes} />
          </InfoCard>
        </Box>
        <Box mt={3}>
          <ClustersCard />
        </Box>
      </Grid>
    </Grid>
  );
}

/** The page's body: the new frontend system's page blueprint adds the header. */
export function MeshReadinessPageContent() {
  return (
    <Content>
      <OrganizationContent />
    </Content>
  );
}

/** The whole page with its own header, for the legacy frontend system. */
export function MeshReadinessPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Mesh Readiness"
        subtitle="How far every team is on its way onto the service mesh"
      />
      <MeshReadinessPageContent />
    </Page>
  );
}
