import { logTicks, niceTicks, renderLinePlot, scale } from './svg-plot';

describe('svg plot scales', () => {
  it('picks 1-2-5 steps that cover the data', () => {
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0.13, 0.91)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(12_000, 81_000)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });

  it('uses decades on log axes', () => {
    expect(logTicks(0.3, 250)).toEqual([0.1, 1, 10, 100, 1000]);
    expect(logTicks(2, 40)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('maps values linearly or logarithmically, with y growing upwards', () => {
    expect(scale(5, [0, 10], [0, 100])).toBe(50);
    expect(scale(10, [1, 100], [0, 100], true)).toBe(50);
    expect(scale(0, [0, 10], [400, 40])).toBe(400);
  });

  it('renders one polyline per series and escapes labels', () => {
    const svg = renderLinePlot({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'one',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
        {
          name: 'two',
          points: [
            [0, 3],
            [1, NaN],
          ],
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('a &lt; b');
    expect(svg).not.toContain('NaN');
  });
});
