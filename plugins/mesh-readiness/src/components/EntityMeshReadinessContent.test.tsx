import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  KubernetesAuthProvidersApi,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';
import { RULE_DEFINITIONS } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { EntityMeshReadinessContent } from './EntityMeshReadinessContent';
import { finding, mixedReport, notMappedReport, workload } from './testData';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'cart', namespace: 'default' },
  spec: {},
};

function render(
  api: Partial<MeshReadinessApi>,
  url = '/',
  scan: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  shown = entity,
  authProviders?: KubernetesAuthProvidersApi,
) {
  const full = {
    getRules: async () => ({ rules: RULE_DEFINITIONS }),
    ...api,
  } as MeshReadinessApi;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [meshReadinessApiRef, full],
        [permissionApiRef, mockApis.permission({ authorize: scan })],
        ...(authProviders
          ? [[kubernetesAuthProvidersApiRef, authProviders] as const]
          : []),
      ]}
    >
      <EntityProvider entity={shown}>
        <EntityMeshReadinessContent />
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [url] },
  );
}

const waived = {
  ...finding('MR005', 'waived', 'Canonical name "cart", no revision.'),
  waivedStatus: 'warn' as const,
  waiver: {
    reason: 'versions come from the image tag',
    source: 'Deployment shop/cart annotation',
  },
};
const everyStatusReport = {
  ...mixedReport,
  workloads: [
    workload('cart', [
      ...mixedReport.workloads[0].findings,
      finding('MR010', 'skip', 'No headless Service selects the workload.'),
      finding(
        'MR004',
        'unknown',
        'Could not read the namespace labels: forbidden.',
      ),
      waived,
    ]),
  ],
};

describe('EntityMeshReadinessContent', () => {
  it('shows progress while loading', async () => {
    await render({ getEntityReadiness: () => new Promise(() => {}) });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await render({
      getEntityReadiness: async () =>
        Promise.reject(new Error('backend exploded')),
    });
    expect(
      await screen.findByText('Error: backend exploded'),
    ).toBeInTheDocument();
  });

  it('guides a component that is not mapped to the annotation to add', async () => {
    await render({ getEntityReadiness: async () => notMappedReport });
    expect(
      await screen.findByText(
        'This component is not mapped to Kubernetes workloads',
      ),
    ).toBeInTheDocument();
    // The snippet is syntax-highlighted, so its text is split across elements.
    expect(document.body.textContent).toContain(
      'backstage.io/kubernetes-id: legacy',
    );
  });

  it('lists every rule per workload with its status, message, evidence and docs link', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    expect(await screen.findByText('Deployment shop/cart')).toBeInTheDocument();
    // The component's level at the top and the workload's on its card.
    expect(
      screen.getAllByText('Level 0 · Not compatible', { selector: 'span' }),
    ).toHaveLength(2);
    const row = screen.getByTestId('finding-MR002');
    expect(within(row).getByText('fail')).toBeInTheDocument();
    expect(
      within(row).getByText('Pod port 9000/TCP is reached as HTTP and TCP.'),
    ).toBeInTheDocument();
    await userEvent.click(within(row).getByText(/MR002/));
    expect(await within(row).findByText(/cart-internal/)).toBeInTheDocument();
    expect(
      within(row).getByRole('link', { name: /Istio documentation for MR002/ }),
    ).toHaveAttribute('href', expect.stringContaining('istio.io'));
  });

  it('names the component’s and each workload’s score bar with its score', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    expect(await screen.findByText('Deployment shop/cart')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', {
        name: 'cart component score 72 of 100',
      }),
    ).toHaveAttribute('aria-valuenow', '72');
    expect(
      screen.getByRole('progressbar', { name: 'cart score 72 of 100' }),
    ).toBeInTheDocument();
  });

  it('says on its card when a workload is known only by what it owns', async () => {
    const notice =
      'The DaemonSet shop/cart itself could not be read (DaemonSet forbidden (403)): these findings come from the pods it owns, and waivers annotated on the DaemonSet are not seen.';
    await render({
      getEntityReadiness: async () => ({
        ...mixedReport,
        workloads: [{ ...mixedReport.workloads[0], kind: 'DaemonSet', notice }],
      }),
    });
    expect(await screen.findByText('DaemonSet shop/cart')).toBeInTheDocument();
    expect(screen.getByTestId('workload-notice')).toHaveTextContent(notice);
  });

  it('shows no notice for a workload read in full', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    expect(await screen.findByText('Deployment shop/cart')).toBeInTheDocument();
    expect(screen.queryByTestId('workload-notice')).not.toBeInTheDocument();
  });

  it('shows a failed cluster’s error and the age of its stale result beside the others', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    await screen.findByText('Deployment shop/cart');
    expect(document.body.textContent).toContain(
      'Cluster prod-eu could not be read',
    );
    expect(document.body.textContent).toMatch(
      /ECONNREFUSED 10\.0\.0\.1:443\. Showing its last good result from \d+ (h|days) ago\./,
    );
  });

  it('lists what could not be read, apart from the failed cluster it already shows', async () => {
    await render({
      getEntityReadiness: async () => ({
        ...mixedReport,
        errors: [
          ...mixedReport.errors,
          {
            cluster: 'demo-cluster',
            message:
              'DaemonSet forbidden (403): the cluster’s service account may not list it',
          },
          {
            cluster: 'demo-cluster',
            message: 'Manifest: broken.yaml:3: bad indentation',
          },
          // A cluster none of the entity's workloads is in: not its concern.
          {
            cluster: 'prod-us',
            message: 'Manifest: other.yaml:9: bad indentation',
          },
        ],
      }),
    });
    await screen.findByText('Deployment shop/cart');
    await userEvent.click(screen.getByText(/2 things could not be read$/));
    const problems = await screen.findByTestId('read-problems');
    expect(problems).toHaveTextContent(
      'demo-cluster: DaemonSet forbidden (403)',
    );
    expect(problems).toHaveTextContent('demo-cluster: Manifest: broken.yaml:3');
    expect(problems).not.toHaveTextContent('prod-us');
    // The failed cluster has its own panel, not a second line here.
    expect(problems).not.toHaveTextContent('ECONNREFUSED');
  });

  it('names a cluster the entity is pinned to that no source reads, when it has no workload', async () => {
    await render({
      getEntityReadiness: async () => ({
        ...mixedReport,
        clusters: [],
        workloads: [],
        errors: [
          {
            cluster: 'prod-ap',
            message: 'No cluster named "prod-ap" has been read',
          },
        ],
      }),
    });
    expect(await screen.findByText('No workloads found')).toBeInTheDocument();
    await userEvent.click(screen.getByText(/One thing could not be read$/));
    expect(await screen.findByTestId('read-problems')).toHaveTextContent(
      'prod-ap: No cluster named "prod-ap" has been read',
    );
  });

  it('shows no such list when everything was read', async () => {
    await render({
      getEntityReadiness: async () => ({ ...mixedReport, errors: [] }),
    });
    await screen.findByText('Deployment shop/cart');
    expect(
      screen.queryByText(/(One thing|things) could not be read$/),
    ).not.toBeInTheDocument();
  });

  it('hides passing rules with "Failing only"', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    expect(await screen.findByTestId('finding-MR001')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Failing only'));
    expect(screen.queryByTestId('finding-MR001')).not.toBeInTheDocument();
    expect(screen.getByTestId('finding-MR002')).toBeInTheDocument();
    expect(screen.getByTestId('finding-MR006')).toBeInTheDocument();
  });

  it('asks the backend for a fresh scan on "Scan now"', async () => {
    const calls: Array<boolean | undefined> = [];
    await render({
      getEntityReadiness: async (_ref, options) => {
        calls.push(options?.refresh);
        return mixedReport;
      },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scan now' }),
    );
    await waitFor(() => expect(calls).toEqual([false, true]));
  });

  it('sends the user’s own Kubernetes credentials on "Scan now" for the clusters that need a signed-in user', async () => {
    const sent: Array<Record<string, string> | undefined> = [];
    const asked: string[] = [];
    await render(
      {
        getEntityReadiness: async (_ref, options) => {
          if (options?.refresh) sent.push(options.clusterCredentials);
          return mixedReport;
        },
        getScans: async () => ({
          scans: [],
          clusters: [
            {
              cluster: 'sso',
              status: 'error',
              error: 'needs a signed-in user: …',
              attemptedAt: new Date().toISOString(),
              workloads: 0,
              locator: 'config',
              authProvider: 'oidc',
              oidcTokenProvider: 'okta',
              needsSignedInUser: true,
            },
            {
              cluster: 'eks',
              status: 'ok',
              attemptedAt: new Date().toISOString(),
              workloads: 3,
              locator: 'config',
              authProvider: 'aws',
            },
          ],
        }),
      },
      '/',
      AuthorizeResult.ALLOW,
      { ...entity, metadata: { name: 'sso-app', namespace: 'default' } },
      {
        getCredentials: async (provider: string) => {
          asked.push(provider);
          return { token: 'users-okta-id-token' };
        },
      } as KubernetesAuthProvidersApi,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scan now' }),
    );
    await waitFor(() =>
      expect(sent).toEqual([
        {
          'Backstage-Kubernetes-Authorization-oidc-okta': 'users-okta-id-token',
        },
      ]),
    );
    // Only the cluster that needs a user: the server-side ones are the backend's business.
    expect(asked).toEqual(['oidc.okta']);
  });

  it('offers no "Scan now" to a caller the permission policy does not let scan', async () => {
    // Another entity than the other tests': the permission hook caches
    // answers per entity for the whole test file.
    await render(
      { getEntityReadiness: async () => mixedReport },
      '/',
      AuthorizeResult.DENY,
      { ...entity, metadata: { name: 'ledger', namespace: 'default' } },
    );
    expect(await screen.findByText(/workloads ready/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Scan now' }),
    ).not.toBeInTheDocument();
  });

  it('names every status on its row: pass, fail, warning, not applicable, unknown, waived', async () => {
    await render({ getEntityReadiness: async () => everyStatusReport });
    const status = async (ruleId: string) =>
      within(await screen.findByTestId(`finding-${ruleId}`));
    expect((await status('MR001')).getByText('pass')).toBeInTheDocument();
    expect((await status('MR002')).getByText('fail')).toBeInTheDocument();
    expect((await status('MR006')).getByText('warning')).toBeInTheDocument();
    expect(
      (await status('MR010')).getByText('not applicable'),
    ).toBeInTheDocument();
    expect((await status('MR004')).getByText('unknown')).toBeInTheDocument();
    const row = await status('MR005');
    expect(row.getByText('waived')).toBeInTheDocument();
    await userEvent.click(row.getByText(/MR005/));
    expect(
      await row.findByText(
        /Waived \(would be warn\): versions come from the image tag/,
      ),
    ).toBeInTheDocument();
  });

  it('shows the fix with its YAML snippet for a failing rule', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    const row = within(await screen.findByTestId('finding-MR002'));
    await userEvent.click(row.getByText(/MR002/));
    const rule = RULE_DEFINITIONS.find(r => r.id === 'MR002')!;
    expect(await row.findByText(rule.remediation)).toBeInTheDocument();
    // The first line of the snippet, whatever the highlighter does to the rest.
    const firstLine = rule.remediationSnippet!.split('\n')[0].trim();
    expect(
      row.getByText(
        (_, el) =>
          el?.tagName === 'CODE' && !!el.textContent?.includes(firstLine),
      ),
    ).toBeInTheDocument();
  });

  it('filters rows by severity', async () => {
    await render({ getEntityReadiness: async () => mixedReport });
    await screen.findByTestId('finding-MR002');
    await userEvent.click(screen.getByRole('button', { name: /Severity/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Warnings' }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('finding-MR002')).not.toBeInTheDocument(),
    );
    expect(screen.queryByTestId('finding-MR001')).not.toBeInTheDocument();
    expect(screen.getByTestId('finding-MR006')).toBeInTheDocument();
  });

  it('shows only the rule a checklist step links to, until the filter is cleared', async () => {
    await render(
      { getEntityReadiness: async () => mixedReport },
      '/?rule=MR006',
    );
    expect(await screen.findByTestId('finding-MR006')).toBeInTheDocument();
    expect(screen.queryByTestId('finding-MR002')).not.toBeInTheDocument();
    const chip = screen
      .getByText('Showing MR006 only')
      .closest('.MuiChip-root')!;
    await userEvent.click(chip.querySelector('.MuiChip-deleteIcon')!);
    expect(await screen.findByTestId('finding-MR002')).toBeInTheDocument();
  });

  it('explains a mapped component whose annotations select no workload', async () => {
    await render({
      getEntityReadiness: async () => ({
        ...mixedReport,
        clusters: [],
        workloads: [],
      }),
    });
    expect(await screen.findByText('No workloads found')).toBeInTheDocument();
    expect(screen.queryByTestId(/^finding-/)).not.toBeInTheDocument();
  });
});
