import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR001 service-association', () => {
  describeRuleFixtures('MR001');
});
