/*
 * The clusters behind every report: whether each was read at the latest
 * scan, how old its result is, and a strip of the latest scans (each
 * scheduled read of a cluster, each user's scan), so a platform engineer
 * sees at a glance when a cluster stopped answering, which replicas
 * read what, and which clusters wait for a free read slot.
 */
import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Tooltip, Typography } from '@material-ui/core';
import {
  ClusterStatus,
  ScanSummary,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessApiRef } from '../api/MeshReadinessApi';
import { timeAgo } from './visuals';

const SCANS_SHOWN = 30;

/** What a cluster waiting for a read slot shows. */
const waitingLine = (since: string) =>
  `Waiting for a free read slot since ${timeAgo(
    since,
  )}: every replica is reading as many clusters as it may at once`;

/** A cluster not read yet whose first read waits for a slot. */
function WaitingRow({ cluster, since }: { cluster: string; since: string }) {
  return (
    <Box mb={1} data-testid={`cluster-${cluster}`}>
      <StatusPending>{cluster}</StatusPending>
      <Typography variant="body2" color="textSecondary">
        Not read yet. {waitingLine(since)}
      </Typography>
    </Box>
  );
}

function ClusterRow({
  cluster,
  waitingSince,
}: {
  cluster: ClusterStatus;
  waitingSince?: string;
}) {
  let status = <StatusOK>{cluster.cluster}</StatusOK>;
  if (cluster.status === 'error') {
    status = cluster.stale ? (
      <StatusWarning>{cluster.cluster}</StatusWarning>
    ) : (
      <StatusError>{cluster.cluster}</StatusError>
    );
  }
  let detail = `${cluster.workloads} workloads, read ${timeAgo(
    cluster.scannedAt,
  )}`;
  if (cluster.status === 'error' && cluster.needsSignedInUser) {
    status = <StatusWarning>{cluster.cluster}</StatusWarning>;
    detail = cluster.stale
      ? `Needs a signed-in user: showing what a user's Scan now read ${timeAgo(
          cluster.scannedAt,
        )}.`
      : cluster.error ??
        'Needs a signed-in user: its auth provider uses each user’s own credentials';
  } else if (cluster.status === 'error') {
    detail = cluster.stale
      ? `Not read since ${timeAgo(
          cluster.scannedAt,
        )}: showing that result (stale). Last try ${timeAgo(
          cluster.attemptedAt,
        )}: ${cluster.error ?? 'failed'}`
      : `Never read. Last try ${timeAgo(cluster.attemptedAt)}: ${
          cluster.error ?? 'failed'
        }`;
  }
  const origin = cluster.authProvider
    ? `${cluster.locator ? `${cluster.locator} locator, ` : ''}auth provider ${
        cluster.authProvider
      }`
    : undefined;
  return (
    <Box mb={1} data-testid={`cluster-${cluster.cluster}`}>
      {status}
      <Typography variant="body2" color="textSecondary">
        {detail}
      </Typography>
      {waitingSince && (
        <Typography variant="body2" color="textSecondary">
          {waitingLine(waitingSince)}
        </Typography>
      )}
      {origin && (
        <Typography variant="caption" color="textSecondary">
          {origin}
        </Typography>
      )}
    </Box>
  );
}

const SCAN_COLOURS: Record<string, string> = {
  ok: '#2e7d32',
  partial: '#ef6c00',
  failed: '#c62828',
  interrupted: '#6d4c41',
  running: '#1565c0',
};

function scanOutcome(scan: ScanSummary): keyof typeof SCAN_COLOURS {
  if (scan.state !== 'finished') return scan.state;
  const failed = (scan.clusters ?? []).filter(c => !c.ok).length;
  if (failed === 0) return 'ok';
  return failed === (scan.clusters ?? []).length ? 'failed' : 'partial';
}

/** The one cluster a scan read: each scheduled read is of one cluster, on whichever replica had room. */
function onlyCluster(scan: ScanSummary): string | undefined {
  const names = scan.planned ?? scan.clusters?.map(c => c.cluster);
  return names?.length === 1 ? names[0] : undefined;
}

function scanTitle(scan: ScanSummary): string {
  const failed = (scan.clusters ?? []).filter(c => !c.ok);
  const one = onlyCluster(scan);
  const what = {
    ok: one ? 'read' : 'every cluster read',
    partial: `failed: ${failed.map(c => c.cluster).join(', ')}`,
    failed: one
      ? `failed: ${failed[0]?.error ?? 'not read'}`
      : 'no cluster read',
    interrupted: 'interrupted: its backend stopped mid-scan',
    running: 'running',
  }[scanOutcome(scan)];
  const kind = scan.trigger === 'schedule' ? 'Scheduled' : 'Refresh';
  return `${kind} ${one ? `read of ${one}` : 'scan'} ${timeAgo(
    scan.startedAt,
  )} on ${scan.runner}: ${what}`;
}

/** The latest scans, oldest left, one mark each, coloured by outcome. */
function ScanStrip({ scans }: { scans: ScanSummary[] }) {
  const shown = scans.slice(0, SCANS_SHOWN).reverse();
  return (
    <Box display="flex" alignItems="flex-end" mt={2} aria-label="Latest scans">
      {shown.map(scan => (
        <Tooltip key={scan.id} title={scanTitle(scan)}>
          <Box
            role="img"
            aria-label={scanTitle(scan)}
            width={8}
            height={20}
            mr="2px"
            bgcolor={SCAN_COLOURS[scanOutcome(scan)]}
          />
        </Tooltip>
      ))}
    </Box>
  );
}

export function ClustersCard() {
  const api = useApi(meshReadinessApiRef);
  const { value, loading, error } = useAsync(
    () => api.getScans({ limit: SCANS_SHOWN }),
    [api],
  );
  let body;
  if (loading) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (
    !value ||
    (value.clusters.length === 0 && (value.waiting ?? []).length === 0)
  ) {
    body = (
      <Typography variant="body2">
        No cluster has been scanned yet. Clusters are the ones the Kubernetes
        plugin reads, and the manifest sources under meshReadiness.
      </Typography>
    );
  } else {
    const waiting = new Map(
      (value.waiting ?? []).map(w => [w.cluster, w.since]),
    );
    const read = new Set(value.clusters.map(c => c.cluster));
    body = (
      <>
        {value.clusters.map(c => (
          <ClusterRow
            key={c.cluster}
            cluster={c}
            waitingSince={waiting.get(c.cluster)}
          />
        ))}
        {[...waiting]
          .filter(([cluster]) => !read.has(cluster))
          .map(([cluster, since]) => (
            <WaitingRow key={cluster} cluster={cluster} since={since} />
          ))}
        <ScanStrip scans={value.scans} />
      </>
    );
  }
  return <InfoCard title="Clusters">{body}</InfoCard>;
}
