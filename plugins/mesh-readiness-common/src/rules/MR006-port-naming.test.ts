import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR006-port-naming', () => {
  describeRuleFixtures('MR006');
});
