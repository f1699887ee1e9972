import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR014 target-ports', () => {
  describeRuleFixtures('MR014');
});
