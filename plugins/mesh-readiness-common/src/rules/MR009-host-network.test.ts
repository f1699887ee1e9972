import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR009-host-network', () => {
  describeRuleFixtures('MR009');
});
