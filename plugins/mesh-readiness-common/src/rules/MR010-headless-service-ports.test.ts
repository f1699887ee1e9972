import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR010-headless-service-ports', () => {
  describeRuleFixtures('MR010');
});
