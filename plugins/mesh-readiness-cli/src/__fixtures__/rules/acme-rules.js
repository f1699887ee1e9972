// Rules of an imaginary company, as a team would keep them beside its
// backend module: plain objects, a check returning an outcome.
exports.rules = [
  {
    id: 'ACME001',
    slug: 'team-label',
    title: 'Pods carry a team label',
    severity: 'error',
    rationale: 'On-call routing reads it.',
    remediation: 'Add a `team` label to the pod template.',
    docsUrl: 'https://wiki.example.com/team-label',
    onboardingOrder: 50,
    check: ({ workload }) =>
      workload.template.labels.team
        ? { status: 'pass', message: 'The pods carry a team label.' }
        : { status: 'fail', message: 'The pods have no team label.' },
  },
];
