import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import {
  Finding,
  RuleDefinition,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { ModeSummaryList, WorkloadModes } from './DataPlaneModes';

describe('readiness per data-plane mode', () => {
  it('says which mode a workload is ready for, and which rules block the other', async () => {
    const rules = new Map([
      [
        'MR015',
        {
          id: 'MR015',
          title: 'NetworkPolicies admit ambient’s HBONE and probes',
        } as RuleDefinition,
      ],
    ]);
    await renderInTestApp(
      <WorkloadModes
        rules={rules}
        modes={{
          sidecar: { ready: true, blocking: [] },
          ambient: { ready: false, blocking: ['MR015', 'MR009'] },
        }}
      />,
    );
    expect(screen.getByText('Ready for sidecar')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Not ready for ambient: blocked by MR015 NetworkPolicies admit ambient’s HBONE and probes, MR009',
      ),
    ).toBeInTheDocument();
  });

  it('says why the mode a workload does not run in is blocked, and not again what its checklist says', async () => {
    const networkPolicy =
      '1 NetworkPolicy in front of the ambient pods would drop ztunnel’s traffic or the kubelet’s probes: "web-ingress" admits peers on 1 ingress rule but not on TCP 15008 (HBONE).';
    const port = 'The workload uses port 15008, reserved for the sidecar.';
    await renderInTestApp(
      <WorkloadModes
        modes={{
          sidecar: {
            ready: false,
            blocking: ['MR007'],
            messages: { MR007: port },
          },
          ambient: {
            ready: false,
            blocking: ['MR015', 'MR007'],
            messages: { MR015: networkPolicy, MR007: port },
          },
        }}
        findings={[
          {
            ruleId: 'MR015',
            status: 'skip',
            severity: 'error',
            message: 'The workload does not run in ambient mode.',
          } as Finding,
          {
            ruleId: 'MR007',
            status: 'fail',
            severity: 'error',
            message: port,
          } as Finding,
        ]}
      />,
    );
    expect(screen.getByTestId('mode-reasons-ambient')).toHaveTextContent(
      `MR015 in ambient mode: ${networkPolicy}`,
    );
    // MR007 says the same in both modes, as the checklist does: not repeated.
    expect(screen.getByTestId('mode-reasons-ambient')).not.toHaveTextContent(
      'MR007',
    );
    expect(screen.queryByTestId('mode-reasons-sidecar')).toBeNull();
  });

  it('shows nothing for a report stored before modes existed', async () => {
    await renderInTestApp(<WorkloadModes />);
    expect(screen.queryByTestId('workload-modes')).toBeNull();
  });

  it('counts the workloads each mode suits and names the rules blocking it most', async () => {
    await renderInTestApp(
      <ModeSummaryList
        modes={{
          sidecar: {
            workloads: 5,
            readyWorkloads: 3,
            blocking: [{ ruleId: 'MR004', workloads: 2 }],
          },
          ambient: {
            workloads: 5,
            readyWorkloads: 1,
            blocking: [
              { ruleId: 'MR015', workloads: 3 },
              { ruleId: 'MR009', workloads: 1 },
            ],
          },
        }}
      />,
    );
    expect(screen.getByTestId('mode-summary')).toHaveTextContent(
      '3 / 5 workloads ready for sidecar',
    );
    expect(screen.getByTestId('mode-summary')).toHaveTextContent(
      '1 / 5 workloads ready for ambient',
    );
    expect(
      screen.getByText('Blocked most by MR015 (3), MR009 (1)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Blocked most by MR004 (2)')).toBeInTheDocument();
  });

  it('says so when no workload has been judged per mode', async () => {
    await renderInTestApp(<ModeSummaryList />);
    expect(
      screen.getByText('No workload has been judged per data-plane mode yet.'),
    ).toBeInTheDocument();
  });
});
