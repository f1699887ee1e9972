import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR004-init-capabilities', () => {
  describeRuleFixtures('MR004');
});
