import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR013 job-completion', () => {
  describeRuleFixtures('MR013');
});
