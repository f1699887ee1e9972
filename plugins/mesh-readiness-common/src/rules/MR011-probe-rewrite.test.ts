import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR011-probe-rewrite', () => {
  describeRuleFixtures('MR011');
});
