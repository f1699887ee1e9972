import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR012 injection-labels', () => {
  describeRuleFixtures('MR012');
});
