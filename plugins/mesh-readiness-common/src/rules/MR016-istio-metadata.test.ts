import { describeRuleFixtures } from './__fixtures__/harness';

describe('MR016 istio-metadata', () => {
  describeRuleFixtures('MR016');
});
