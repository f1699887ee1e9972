import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR005-app-version-labels', () => {
  describeRuleFixtures('MR005');
});
