using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Compute_ScikitLearnF1Example_MatchesDocumentedValues()
    {
        // scikit-learn f1_score / precision_score / recall_score documentation example:
        // macro F1 0.26666..., per-class F1 [0.8, 0, 0], macro precision 0.22222..., macro recall 0.33333...
        int[] actual = [0, 1, 2, 0, 1, 2];
        int[] predicted = [0, 2, 1, 0, 0, 1];

        var metrics = ClassificationMetrics.Compute(actual, predicted, 3);

        Assert.Equal(0.26666666666666666, metrics.MacroF1, Tolerance);
        Assert.Equal([0.8, 0.0, 0.0], metrics.PerClass.Select(c => c.F1), new ToleranceComparer(Tolerance));
        Assert.Equal(0.2222222222222222, metrics.PerClass.Average(c => c.Precision), Tolerance);
        Assert.Equal(0.3333333333333333, metrics.PerClass.Average(c => c.Recall), Tolerance);
        Assert.Equal(1.0 / 3, metrics.Accuracy, Tolerance);
        Assert.Equal(1.0 / 3, metrics.BalancedAccuracy, Tolerance);
        Assert.Equal([2, 2, 2], metrics.PerClass.Select(c => c.Support));
    }

    [Fact]
    public void Compute_ScikitLearnBalancedAccuracyExample_0625()
    {
        // balanced_accuracy_score documentation example.
        var metrics = ClassificationMetrics.Compute([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1], 2);

        Assert.Equal(0.625, metrics.BalancedAccuracy, Tolerance);
    }

    [Fact]
    public void Compute_ThreeClassHandExample_ConfusionAndScores()
    {
        // actual\pred  0  1  2   support   precision   recall   F1 = 2·TP / (support + predicted)
        //   0          3  1  0   4         3/5         3/4      6/9
        //   1          1  2  1   4         2/3         2/4      4/7
        //   2          1  0  1   2         1/2         1/2      2/4
        // predicted    5  3  2   accuracy 6/10, balanced accuracy (3/4 + 2/4 + 1/2) / 3
        int[] actual = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
        int[] predicted = [0, 0, 0, 1, 0, 1, 1, 2, 2, 0];

        var metrics = ClassificationMetrics.Compute(actual, predicted, 3);

        Assert.Equal([[3, 1, 0], [1, 2, 1], [1, 0, 1]], metrics.Confusion);
        Assert.Equal([3.0 / 5, 2.0 / 3, 1.0 / 2], metrics.PerClass.Select(c => c.Precision), new ToleranceComparer(Tolerance));
        Assert.Equal([3.0 / 4, 2.0 / 4, 1.0 / 2], metrics.PerClass.Select(c => c.Recall), new ToleranceComparer(Tolerance));
        Assert.Equal([6.0 / 9, 4.0 / 7, 2.0 / 4], metrics.PerClass.Select(c => c.F1), new ToleranceComparer(Tolerance));
        Assert.Equal(((6.0 / 9) + (4.0 / 7) + 0.5) / 3, metrics.MacroF1, Tolerance);
        Assert.Equal((0.75 + 0.5 + 0.5) / 3, metrics.BalancedAccuracy, Tolerance);
        Assert.Equal(0.6, metrics.Accuracy, Tolerance);
        Assert.Equal(10, metrics.SampleCount);
        Assert.Null(metrics.ExpectedCalibrationError);
    }

    [Fact]
    public void Compute_ClassPredictedButAbsent_CountsZeroInMacroF1Only()
    {
        // Class 2 never occurs but is predicted once: F1 0 joins the macro mean; balanced accuracy ignores it.
        // Class 3 neither occurs nor is predicted: left out of both.
        var metrics = ClassificationMetrics.Compute([0, 0, 1, 1], [0, 2, 1, 1], 4);

        Assert.Equal(((2.0 / 3) + 1 + 0) / 3, metrics.MacroF1, Tolerance);
        Assert.Equal(0.75, metrics.BalancedAccuracy, Tolerance);
        Assert.Equal(0.75, metrics.Accuracy, Tolerance);
        Assert.Equal(0, metrics.PerClass[2].Recall);
        Assert.Equal(0, metrics.PerClass[3].Precision);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Compute_PerfectPredictions_AllOnes(int classCount)
    {
        int[] labels = Enumerable.Range(0, 3 * classCount).Select(i => i % classCount).ToArray();

        var metrics = ClassificationMetrics.Compute(labels, labels, classCount);

        Assert.Equal(1, metrics.Accuracy);
        Assert.Equal(1, metrics.BalancedAccuracy);
        Assert.Equal(1, metrics.MacroF1);
    }

    [Fact]
    public void Compute_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(Array.Empty<int>(), Array.Empty<int>(), 2));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1], [0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Compute([0, 2], [0, 1], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Compute([0, 1], [0, -1], 2));
    }

    [Fact]
    public void Compute_Probabilities_ArgMaxPredictionsAndCalibration()
    {
        float[][] probabilities = [[0.1f, 0.9f], [0.9f, 0.1f], [0.8f, 0.2f], [0.35f, 0.65f]];

        var metrics = ClassificationMetrics.Compute([1, 0, 0, 1], probabilities);

        Assert.Equal(1, metrics.Accuracy);
        Assert.NotNull(metrics.ExpectedCalibrationError);
        Assert.Equal(0.21616187468057912, metrics.LogLoss!.Value, 1e-7);
    }

    [Fact]
    public void ArgMax_Ties_FirstIndex()
    {
        Assert.Equal([0, 1, 2], ClassificationMetrics.ArgMax([0.5f, 0.5f, 0f, 0.2f, 0.4f, 0.4f, 0f, 0f, 1f], 3));
    }

    [Fact]
    public void LogLoss_ScikitLearnExample_021616()
    {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) = 0.21616...; ham = 0, spam = 1.
        double loss = CalibrationMetrics.LogLoss([1, 0, 0, 1], [0.1f, 0.9f, 0.9f, 0.1f, 0.8f, 0.2f, 0.35f, 0.65f], 2);

        Assert.Equal(0.21616187468057912, loss, 1e-7);
    }

    [Fact]
    public void LogLoss_ZeroProbabilityOfActual_ClippedTo1eMinus15()
    {
        double loss = CalibrationMetrics.LogLoss([0], [0f, 1f], 2);

        Assert.Equal(34.538776394910684, loss, 1e-9);
    }

    [Fact]
    public void ExpectedCalibrationError_SameBin_ConfidencesPooled()
    {
        // Confidences 0.62 (right) and 0.68 (wrong) share the bin (0.6, 0.7]: |1 − 1.30| / 2 = 0.15.
        double ece = CalibrationMetrics.ExpectedCalibrationError([0, 1], [0.62f, 0.38f, 0.68f, 0.32f], 2);

        Assert.Equal(0.15, ece, 1e-6);
    }

    [Fact]
    public void ExpectedCalibrationError_DifferentBins_Separate()
    {
        // 0.58 (right) in (0.5, 0.6], 0.68 (wrong) in (0.6, 0.7]: (|1 − 0.58| + |0 − 0.68|) / 2 = 0.55.
        double ece = CalibrationMetrics.ExpectedCalibrationError([0, 1], [0.58f, 0.42f, 0.68f, 0.32f], 2);

        Assert.Equal(0.55, ece, 1e-6);
    }

    [Fact]
    public void ExpectedCalibrationError_OneBin_GapOfMeans()
    {
        // One bin: |accuracy − mean confidence| = |0.5 − 0.75|.
        double ece = CalibrationMetrics.ExpectedCalibrationError([0, 1], [0.75f, 0.25f, 0.75f, 0.25f], 2, bins: 1);

        Assert.Equal(0.25, ece, 1e-6);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
