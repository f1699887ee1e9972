import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR003', () => {
  describeRuleFixtures('MR003');
});
