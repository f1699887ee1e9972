/*
 * The Mesh Readiness tab of a component: its level and score, then per
 * cluster and workload a checklist of every rule with evidence, fix and
 * docs link.
 */
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useAsync from 'react-use/esm/useAsync';
import { useSearchParams } from 'react-router-dom';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { WorkloadModes } from './DataPlaneModes';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Button,
  Chip,
  FormControl,
  FormControlLabel,
  InputLabel,
  Grid,
  MenuItem,
  Select,
  Switch,
  Typography,
} from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import {
  EntityReadinessResponse,
  expiredWaiverNote,
  Finding,
  needsAction,
  RuleDefinition,
  Severity,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessRefreshPermission } from '@mesh-readiness/plugin-mesh-readiness-common/permissions';
import { meshReadinessApiRef } from '../api/MeshReadinessApi';
import { userClusterCredentials } from '../api/userClusterCredentials';
import {
  ErrorText,
  LevelChip,
  PlainCodeSnippet,
  ScoreBar,
  StatusIcon,
  timeAgo,
} from './visuals';
import { WorkloadWaivers } from './WorkloadWaivers';
import { usePermission } from '@backstage/plugin-permission-react';
import { stringifyEntityRef } from '@backstage/catalog-model';

export function NotMappedGuide({
  report,
}: {
  report: EntityReadinessResponse;
}) {
  const annotations = Object.entries(report.suggestedAnnotations ?? {})
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  return (
    <EmptyState
      missing="field"
      title="This component is not mapped to Kubernetes workloads"
      // The reason often repeats the title as its first sentence.
      description={report.notMappedReason?.replace(
        /^This component is not mapped to Kubernetes workloads\.\s*/,
        '',
      )}
      action={
        <>
          <Typography variant="body1">
            Add this to the component's catalog-info.yaml:
          </Typography>
          <PlainCodeSnippet
            text={`metadata:\n  annotations:\n${annotations}`}
          />
          <Typography variant="body2">
            and the same value as the label{' '}
            <code>backstage.io/kubernetes-id</code> on its pod template.
          </Typography>
        </>
      }
    />
  );
}

function FindingRow({
  finding,
  rule,
}: {
  finding: Finding;
  rule?: RuleDefinition;
}) {
  return (
    <Accordion
      data-testid={`finding-${finding.ruleId}`}
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Box display="flex" alignItems="center" width="100%">
          <Box width={150} flexShrink={0}>
            <StatusIcon status={finding.status} />
          </Box>
          <Box>
            <Typography variant="subtitle2">
              {finding.ruleId} {finding.title}
            </Typography>
            <Typography variant="body2" color="textSecondary">
              {finding.message}
            </Typography>
            {finding.expiredWaiver && (
              <ErrorText variant="caption">
                {expiredWaiverNote(finding)}
              </ErrorText>
            )}
          </Box>
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Box width="100%">
          {finding.waiver && (
            <Typography variant="body2" paragraph>
              Waived (would be {finding.waivedStatus}): {finding.waiver.reason}{' '}
              — {finding.waiver.source}
              {finding.waiver.until ? ` (until ${finding.waiver.until})` : ''}
            </Typography>
          )}
          {finding.expiredWaiver && (
            <ErrorText variant="body2" paragraph>
              {expiredWaiverNote(finding)} — {finding.expiredWaiver.source}
            </ErrorText>
          )}
          {finding.evidence.length > 0 && (
            <>
              <Typography variant="overline">Evidence</Typography>
              <ul>
                {finding.evidence.map((e, i) => (
                  <li key={i}>
                    <Typography variant="body2">
                      <b>
                        {e.kind} {e.namespace ? `${e.namespace}/` : ''}
                        {e.name}
                      </b>
                      {e.field ? ` ${e.field}` : ''}: {e.detail}
                    </Typography>
                  </li>
                ))}
              </ul>
            </>
          )}
          <Typography variant="overline">Fix</Typography>
          <Typography variant="body2" paragraph>
            {finding.remediation}
          </Typography>
          {rule?.remediationSnippet && needsAction(finding) && (
            <PlainCodeSnippet text={rule.remediationSnippet} />
          )}
          <Typography variant="body2">
            <Link to={finding.docsUrl}>
              Istio documentation for {finding.ruleId}
            </Link>
            {rule?.istioAnalyzer && (
              <>
                {' · '}
                <Link to={rule.istioAnalyzer.url}>
                  istioctl {rule.istioAnalyzer.code} {rule.istioAnalyzer.name}
                </Link>
              </>
            )}
          </Typography>
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

function WorkloadChecklist(props: {
  workload: WorkloadReport;
  findings: Finding[];
  rules: Map<string, RuleDefinition>;
}) {
  const { workload, findings, rules } = props;
  return (
    <InfoCard
      title={`${workload.kind} ${workload.namespace}/${workload.name}`}
      subheader={`cluster ${workload.cluster ?? 'unknown'} · ${
        workload.ready ? 'ready' : 'not ready'
      }`}
      action={
        <Box display="flex" alignItems="center" mt={2} mr={2}>
          <LevelChip level={workload.level} />
          <Box ml={2}>
            <ScoreBar score={workload.score} subject={workload.name} />
          </Box>
        </Box>
      }
    >
      <WorkloadModes
        modes={workload.modes}
        rules={rules}
        findings={workload.findings}
      />
      {workload.notice && (
        <Box mb={2} data-testid="workload-notice">
          <Typography variant="body2" color="textSecondary">
            {workload.notice}
          </Typography>
        </Box>
      )}
      <WorkloadWaivers workload={workload} />
      {findings.length === 0 ? (
        <Typography variant="body2">Nothing matches the filters.</Typography>
      ) : (
        findings.map(f => (
          <FindingRow key={f.ruleId} finding={f} rule={rules.get(f.ruleId)} />
        ))
      )}
    </InfoCard>
  );
}

// A label's usual secondary colour is 4.47:1 on the page's background.
const useFilterStyles = makeStyles(theme => ({
  filterLabel: { color: theme.palette.text.primary },
}));

export function EntityMeshReadinessContent() {
  const classes = useFilterStyles();
  const { entity } = useEntity();
  const api = useApi(meshReadinessApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const onlyRule = searchParams.get('rule');
  const [refreshes, setRefreshes] = useState(0);
  const [failingOnly, setFailingOnly] = useState(false);
  const [severity, setSeverity] = useState<'all' | Severity>('all');
  const ref = {
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const authProviders = useApiHolder().get(kubernetesAuthProvidersApiRef);
  const report = useAsyncRetry(async () => {
    if (refreshes === 0) return api.getEntityReadiness(ref, { refresh: false });
    // Clusters that need a signed-in user are read with this user's own
    // credentials, where the app has the Kubernetes plugin's auth providers.
    const clusterCredentials = authProviders
      ? await userClusterCredentials(
          (
            await api.getScans({ limit: 1 })
          ).clusters,
          authProviders,
        )
      : undefined;
    return api.getEntityReadiness(ref, { refresh: true, clusterCredentials });
  }, [api, ref.kind, ref.namespace, ref.name, refreshes]);
  const rules = useAsync(() => api.getRules(), [api]);
  // Scanning on demand may be granted to fewer people (say, the owners) than reading.
  const { allowed: mayScan } = usePermission({
    permission: meshReadinessRefreshPermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const ruleMap = useMemo(
    () => new Map((rules.value?.rules ?? []).map(r => [r.id, r])),
    [rules.value],
  );

  if (report.loading && !report.value) return <Progress />;
  if (report.error) return <ResponseErrorPanel error={report.error} />;
  const value = report.value!;
  if (!value.mapped) return <NotMappedGuide report={value} />;

  const visible = (f: Finding) =>
    (!failingOnly || needsAction(f)) &&
    (severity === 'all' || f.severity === severity) &&
    (!onlyRule || f.ruleId === onlyRule);
  const failedClusters = value.clusters.filter(c => c.status === 'error');
  // Kinds a cluster would not list, broken manifests, a cluster the entity
  // names that no source reads: what a failed cluster's panel does not say.
  // Only of the clusters the entity's workloads are in, unless it has none
  // (then any cluster's problem may be why).
  const failedNames = new Set(failedClusters.map(c => c.cluster));
  const workloadClusters = new Set(value.workloads.map(w => w.cluster));
  // Refused waivers of a workload are shown on its card, with its waivers.
  const onCards = new Set(value.workloads.flatMap(w => w.waiverErrors ?? []));
  const readProblems = value.errors.filter(
    e =>
      !onCards.has(e.message) &&
      (!e.cluster ||
        (!failedNames.has(e.cluster) &&
          (workloadClusters.size === 0 || workloadClusters.has(e.cluster)))),
  );

  return (
    <Grid container spacing={3} direction="column">
      <Grid item>
        <InfoCard title="Mesh readiness">
          <Box display="flex" alignItems="center" flexWrap="wrap">
            <Box mr={3}>
              <LevelChip level={value.summary.level} />
            </Box>
            <Box mr={3}>
              <ScoreBar
                score={value.summary.score}
                subject={`${entity.metadata.name} component`}
              />
            </Box>
            <Box mr={3}>
              <Typography variant="body1">
                {value.summary.readyWorkloads} of {value.summary.workloads}{' '}
                workloads ready
              </Typography>
            </Box>
            <Box mr={3}>
              <Typography variant="body2" color="textSecondary">
                Scanned {timeAgo(value.scannedAt)}
              </Typography>
            </Box>
            {mayScan && (
              <Button
                variant="outlined"
                color="primary"
                disabled={report.loading}
                onClick={() => setRefreshes(n => n + 1)}
              >
                {report.loading ? 'Scanning…' : 'Scan now'}
              </Button>
            )}
          </Box>
          {report.loading && <Progress />}
        </InfoCard>
      </Grid>
      {failedClusters.map(c => (
        <Grid item key={c.cluster}>
          <WarningPanel
            severity="error"
            title={`Cluster ${c.cluster} could not be read`}
            message={`${(c.error ?? 'The scan failed').replace(
              /[.\s]*$/,
              '.',
            )}${
              c.stale
                ? ` Showing its last good result from ${timeAgo(c.scannedAt)}.`
                : ''
            }`}
          />
        </Grid>
      ))}
      {readProblems.length > 0 && (
        <Grid item>
          <WarningPanel
            severity="warning"
            title={
              readProblems.length === 1
                ? 'One thing could not be read'
                : `${readProblems.length} things could not be read`
            }
            message={
              <Box component="ul" m={0} pl={2} data-testid="read-problems">
                {readProblems.map((e, i) => (
                  <li key={i}>
                    <Typography variant="body2">
                      {e.cluster ? <strong>{e.cluster}: </strong> : null}
                      {e.message}
                    </Typography>
                  </li>
                ))}
              </Box>
            }
          />
        </Grid>
      )}
      <Grid item>
        <Box display="flex" alignItems="center">
          <FormControlLabel
            control={
              <Switch
                checked={failingOnly}
                onChange={e => setFailingOnly(e.target.checked)}
              />
            }
            label="Failing only"
          />
          <Box ml={2}>
            <FormControl style={{ minWidth: 160 }}>
              <InputLabel
                id="mesh-readiness-severity"
                className={classes.filterLabel}
              >
                Severity
              </InputLabel>
              <Select
                labelId="mesh-readiness-severity"
                // Names the select by its label and the chosen value.
                name="severity"
                value={severity}
                onChange={e => setSeverity(e.target.value as 'all' | Severity)}
              >
                <MenuItem value="all">All severities</MenuItem>
                <MenuItem value="error">Errors</MenuItem>
                <MenuItem value="warning">Warnings</MenuItem>
                <MenuItem value="info">Info</MenuItem>
              </Select>
            </FormControl>
          </Box>
          {onlyRule && (
            <Box ml={2}>
              <Chip
                label={`Showing ${onlyRule} only`}
                onDelete={() => {
                  const next = new URLSearchParams(searchParams);
                  next.delete('rule');
                  setSearchParams(next);
                }}
              />
            </Box>
          )}
        </Box>
      </Grid>
      {value.workloads.length === 0 && (
        <Grid item>
          <EmptyState
            missing="data"
            title="No workloads found"
            description="The component's annotations select no workload in any cluster that was read. Check the label on its pod template and the namespace and cluster annotations."
          />
        </Grid>
      )}
      {value.workloads.map(w => (
        <Grid item key={`${w.cluster}/${w.kind}/${w.namespace}/${w.name}`}>
          <WorkloadChecklist
            workload={w}
            findings={w.findings.filter(visible)}
            rules={ruleMap}
          />
        </Grid>
      ))}
    </Grid>
  );
}
