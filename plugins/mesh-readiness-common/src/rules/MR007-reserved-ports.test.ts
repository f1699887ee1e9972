import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR007-reserved-ports', () => {
  describeRuleFixtures('MR007');
});
