import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR015 ambient-network-policy', () => {
  describeRuleFixtures('MR015');
});
