using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class MarkovTransitionFieldTests
{
    [Theory]
    [InlineData(64, 64, 8)]
    [InlineData(120, 12, 5)]
    [InlineData(90, 3, 2)]
    [InlineData(7, 1, 3)]
    public void Transform_Uniform_EqualsNaiveBlockMean(int length, int size, int bins)
    {
        double[] series = TestSeries.RandomWalk(length, seed: length + size);
        double min = series.Min();
        double max = series.Max();
        double[] edges = Enumerable.Range(1, bins - 1).Select(k => (k * ((max - min) / bins)) + min).ToArray();
        var mtf = new MarkovTransitionField(new() { Size = size, Bins = bins, Strategy = BinStrategy.Uniform });

        double[] actual = mtf.Transform(series);

        AssertClose(NaiveField(series, edges, bins, size, TiledBounds(length, size)), actual, 1e-12);
    }

    [Theory]
    [InlineData(200, 20)]
    [InlineData(57, 10)]
    [InlineData(33, 33)]
    public void Transform_Normal_EqualsNaiveBlockMean(int length, int size)
    {
        // Standard normal quartiles Φ⁻¹(0.25), Φ⁻¹(0.5), Φ⁻¹(0.75).
        double[] edges = [-0.6744897501960817, 0, 0.6744897501960817];
        double[] series = TestSeries.Uniform(length, seed: 11);
        var mtf = new MarkovTransitionField(new() { Size = size, Bins = 4, Strategy = BinStrategy.Normal });

        double[] actual = mtf.Transform(series);

        AssertClose(NaiveField(series, edges, 4, size, TiledBounds(length, size)), actual, 1e-12);
    }

    [Fact]
    public void Transform_Quantile_BinsHoldEqualCounts()
    {
        // 0..99 shuffled: quartile edges at 24.75, 49.5, 74.25 put 25 values in each bin.
        var random = new Random(12);
        double[] series = Enumerable.Range(0, 100).Select(i => (double)i).OrderBy(_ => random.Next()).ToArray();
        double[] edges = [24.75, 49.5, 74.25];
        var mtf = new MarkovTransitionField(new() { Size = 100, Bins = 4 });

        AssertClose(NaiveField(series, edges, 4, 100, TiledBounds(100, 100)), mtf.Transform(series), 1e-15);
    }

    [Theory]
    [InlineData(BinStrategy.Quantile, false)]
    [InlineData(BinStrategy.Uniform, true)]
    [InlineData(BinStrategy.Normal, true)]
    public void Transform_Values_LieInUnitInterval(BinStrategy strategy, bool overlapping)
    {
        double[] series = TestSeries.RandomWalk(301, seed: 13);
        var mtf = new MarkovTransitionField(new() { Size = 37, Bins = 6, Strategy = strategy, Overlapping = overlapping });

        Assert.All(mtf.Transform(series), value => Assert.InRange(value, 0, 1));
    }

    [Theory]
    [InlineData(BinStrategy.Quantile)]
    [InlineData(BinStrategy.Uniform)]
    public void Transform_ConstantSeries_IsAllOnes(BinStrategy strategy)
    {
        var mtf = new MarkovTransitionField(new() { Size = 4, Bins = 5, Strategy = strategy });

        Assert.All(mtf.Transform(Enumerable.Repeat(-2.5, 10).ToArray()), value => Assert.Equal(1, value, 1e-15));
    }

    [Fact]
    public void Transform_NearlyEqualQuantiles_MergesTheirBins()
    {
        // Sorted values [0, 0, 0, 0, 3e-9, 1, 1, 1, 1]: the octile edges are sorted[1..7] = [0, 0, 0, 3e-9, 1, 1, 1].
        // pyts drops an edge within 1e-8 of the next, leaving [3e-9, 1], so 3e-9 shares the bin of the zeros.
        // Keeping every edge would give 3e-9 a bin of its own and a different field.
        double[] series = [0, 1, 0, 3e-9, 1, 0, 1, 0, 1];
        var mtf = new MarkovTransitionField(new() { Size = 9, Bins = 8 });

        double[] actual = mtf.Transform(series);

        AssertClose(NaiveField(series, [3e-9, 1], 8, 9, TiledBounds(9, 9)), actual, 1e-15);
        Assert.NotEqual(NaiveField(series, [0, 0, 0, 3e-9, 1, 1, 1], 8, 9, TiledBounds(9, 9)), actual);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarkovTransitionField(new() { Bins = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarkovTransitionField(new() { Size = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarkovTransitionField(new() { Strategy = (BinStrategy)9 }));
    }

    [Fact]
    public void Transform_SizeAboveLength_ThrowsNamingPyts()
    {
        var mtf = new MarkovTransitionField(new() { Size = 16 });
        var exception = Assert.Throws<ArgumentException>(() => mtf.Transform(new double[15]));
        Assert.Contains("pyts", exception.Message, StringComparison.Ordinal);
    }

    private static (int[] Start, int[] End) TiledBounds(int length, int size)
    {
        var start = new int[size];
        var end = new int[size];
        for (int k = 0; k < size; k++)
        {
            start[k] = (int)Math.Floor(k * ((double)length / size));
            end[k] = k == size - 1 ? length : (int)Math.Floor((k + 1) * ((double)length / size));
        }

        return (start, end);
    }

    // The O(n²) definition: W from consecutive-bin counts, M[i, j] = W[b_i, b_j], then block means.
    private static double[] NaiveField(double[] series, double[] edges, int bins, int size, (int[] Start, int[] End) bounds)
    {
        int n = series.Length;
        int[] bin = series.Select(x => edges.Count(e => e < x)).ToArray();
        var w = new double[bins, bins];
        for (int i = 0; i + 1 < n; i++)
        {
            w[bin[i], bin[i + 1]]++;
        }

        for (int r = 0; r < bins; r++)
        {
            double sum = Enumerable.Range(0, bins).Sum(c => w[r, c]);
            for (int c = 0; c < bins && sum > 0; c++)
            {
                w[r, c] /= sum;
            }
        }

        var full = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                full[i, j] = w[bin[i], bin[j]];
            }
        }

        var result = new double[size * size];
        for (int a = 0; a < size; a++)
        {
            for (int b = 0; b < size; b++)
            {
                double total = 0;
                for (int i = bounds.Start[a]; i < bounds.End[a]; i++)
                {
                    for (int j = bounds.Start[b]; j < bounds.End[b]; j++)
                    {
                        total += full[i, j];
                    }
                }

                result[(a * size) + b] = total / ((bounds.End[a] - bounds.Start[a]) * (bounds.End[b] - bounds.Start[b]));
            }
        }

        return result;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"Element {i}: expected {expected[i]:R}, actual {actual[i]:R}.");
        }
    }
}
