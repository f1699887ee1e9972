import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ScoreBar, ValueBar } from './visuals';

describe('the bars', () => {
  it('names a score bar by what it scores and its value, for screen readers', async () => {
    await renderInTestApp(<ScoreBar score={72} subject="cart" />);
    expect(
      screen.getByRole('progressbar', { name: 'cart score 72 of 100' }),
    ).toHaveAttribute('aria-valuenow', '72');
  });

  it('names a score bar with no subject by its value alone', async () => {
    await renderInTestApp(<ScoreBar score={40} />);
    expect(
      screen.getByRole('progressbar', { name: 'score 40 of 100' }),
    ).toBeInTheDocument();
  });

  it('gives any other bar the name it is given', async () => {
    await renderInTestApp(
      <ValueBar value={50} name="MR004 fails on 3 workloads" />,
    );
    expect(
      screen.getByRole('progressbar', { name: 'MR004 fails on 3 workloads' }),
    ).toHaveAttribute('aria-valuenow', '50');
  });
});
