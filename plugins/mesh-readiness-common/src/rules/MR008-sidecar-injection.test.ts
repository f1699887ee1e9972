import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR008-sidecar-injection', () => {
  describeRuleFixtures('MR008');
});
