using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class BootstrapConfidenceTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.25, 1.75)]
    [InlineData(0.5, 2.5)]
    [InlineData(0.9, 3.7)]
    [InlineData(1.0, 4.0)]
    public void Quantile_Linear_MatchesNumpy(double p, double expected)
    {
        // numpy.quantile([1, 2, 3, 4], p) with the default "linear" method.
        Assert.Equal(expected, BootstrapConfidence.Quantile([1, 2, 3, 4], p), 1e-12);
    }

    [Fact]
    public void Quantile_SingleValue_ThatValue()
    {
        Assert.Equal(7, BootstrapConfidence.Quantile([7], 0.3));
    }

    [Fact]
    public void Compute_PerfectPredictions_DegenerateIntervalsAtOne()
    {
        int[] labels = Enumerable.Range(0, 50).Select(i => i % 3).ToArray();

        ConfidenceIntervals ci = BootstrapConfidence.Compute(labels, labels, 3);

        Assert.Equal(new ConfidenceInterval(1, 1, 1), ci.MacroF1);
        Assert.Equal(new ConfidenceInterval(1, 1, 1), ci.Accuracy);
        Assert.Equal(1000, ci.Resamples);
        Assert.Equal("clip", ci.Unit);
    }

    [Fact]
    public void Compute_AccuracyOf300In400_CloseToNormalApproximation()
    {
        (int[] actual, int[] predicted) = Predictions(400, 300);

        ConfidenceIntervals ci = BootstrapConfidence.Compute(actual, predicted, 2, new BootstrapOptions { Resamples = 4000, Seed = 3 });

        // Wald interval 0.75 ± 1.96·sqrt(0.75·0.25/400) = 0.75 ± 0.04244; the bootstrap agrees to Monte Carlo error.
        Assert.Equal(0.75, ci.Accuracy.Estimate, 1e-12);
        Assert.Equal(0.75 - 0.04244, ci.Accuracy.Lower, 0.006);
        Assert.Equal(0.75 + 0.04244, ci.Accuracy.Upper, 0.006);
        Assert.InRange(ci.MacroF1.Estimate, ci.MacroF1.Lower, ci.MacroF1.Upper);
        Assert.InRange(ci.BalancedAccuracy.Estimate, ci.BalancedAccuracy.Lower, ci.BalancedAccuracy.Upper);
    }

    [Fact]
    public void Compute_CorrelatedGroups_GroupIntervalWiderThanClipInterval()
    {
        // 40 groups of 10 clips, each group all right or all wrong: the honest unit is the group.
        (int[] actual, int[] predicted) = Predictions(400, 300);
        string[] groups = Enumerable.Range(0, 400).Select(i => "g" + (i / 10)).ToArray();

        ConfidenceIntervals clip = BootstrapConfidence.Compute(actual, predicted, 2);
        ConfidenceIntervals group = BootstrapConfidence.Compute(actual, predicted, 2, groups: groups);

        // Wald half-width with 40 units is 0.134 versus 0.042 with 400.
        double clipWidth = clip.Accuracy.Upper - clip.Accuracy.Lower;
        double groupWidth = group.Accuracy.Upper - group.Accuracy.Lower;
        Assert.Equal("group", group.Unit);
        Assert.InRange(groupWidth / clipWidth, 2.5, 4.0);
    }

    [Fact]
    public void Compute_SameSeed_SameIntervals()
    {
        (int[] actual, int[] predicted) = Predictions(120, 80);
        var options = new BootstrapOptions { Seed = 11, Resamples = 200 };

        Assert.Equal(BootstrapConfidence.Compute(actual, predicted, 2, options), BootstrapConfidence.Compute(actual, predicted, 2, options));
        Assert.NotEqual(
            BootstrapConfidence.Compute(actual, predicted, 2, options).MacroF1,
            BootstrapConfidence.Compute(actual, predicted, 2, options with { Seed = 12 }).MacroF1);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(0)]
    public void Options_TooFewResamples_Throws(int resamples)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BootstrapOptions { Resamples = resamples });
    }

    // Alternating labels; the first `correct` clips right, the rest flipped.
    private static (int[] Actual, int[] Predicted) Predictions(int count, int correct)
    {
        int[] actual = Enumerable.Range(0, count).Select(i => i % 2).ToArray();
        int[] predicted = actual.Select((a, i) => i < correct ? a : 1 - a).ToArray();
        return (actual, predicted);
    }
}
