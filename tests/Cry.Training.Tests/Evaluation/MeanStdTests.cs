using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class MeanStdTests
{
    [Fact]
    public void Of_FourValues_SampleStandardDeviation()
    {
        MeanStd result = MeanStd.Of([1, 2, 3, 4]);

        // sqrt(((1.5² + 0.5²) · 2) / 3) = sqrt(5/3).
        Assert.Equal(2.5, result.Mean, 1e-12);
        Assert.Equal(1.2909944487358056, result.StandardDeviation, 1e-12);
        Assert.Equal(4, result.Count);
        Assert.Equal("2.500 ± 1.291", result.ToString());
    }

    [Fact]
    public void Of_OneValue_ZeroDeviation()
    {
        Assert.Equal(new MeanStd(0.4, 0, 1), MeanStd.Of([0.4]));
    }

    [Fact]
    public void Of_NoValues_Throws()
    {
        Assert.Throws<ArgumentException>(() => MeanStd.Of([]));
    }

    [Fact]
    public void FoldSummary_Of_MeansOverFolds()
    {
        ClassificationMetrics[] folds =
        [
            ClassificationMetrics.Compute([0, 1], [0, 1], 2),
            ClassificationMetrics.Compute([0, 1], [0, 0], 2),
        ];

        FoldSummary summary = FoldSummary.Of(folds);

        // Fold macro-F1: 1 and (2/3 + 0) / 2 = 1/3.
        Assert.Equal([1, 1.0 / 3], summary.MacroF1PerFold);
        Assert.Equal(2.0 / 3, summary.MacroF1.Mean, 1e-12);
        Assert.Equal(0.75, summary.Accuracy.Mean, 1e-12);
    }
}
