import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR002', () => {
  describeRuleFixtures('MR002');
});
