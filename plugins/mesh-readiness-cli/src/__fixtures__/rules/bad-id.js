module.exports = [{ id: 'MR001', title: 'a second MR001', severity: 'error', rationale: 'x', remediation: 'x', docsUrl: 'x', check: () => ({ status: 'pass', message: '' }) }];
