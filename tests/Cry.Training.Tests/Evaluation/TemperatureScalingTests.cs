using Cry.Audio.Augmentation;
using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class TemperatureScalingTests
{
    private const int ClassCount = 5;

    [Fact]
    public void Fit_OverConfidentLogits_TemperatureAboveOneAndEceDrops()
    {
        (float[] logits, int[] labels) = CalibratedSample(4000, seed: 1);
        float[] overConfident = logits.Select(z => 3 * z).ToArray();

        double t = TemperatureScaling.Fit(overConfident, labels, ClassCount);

        var before = new float[logits.Length];
        var after = new float[logits.Length];
        TemperatureScaling.Apply(overConfident, 1, before, ClassCount);
        TemperatureScaling.Apply(overConfident, t, after, ClassCount);
        double eceBefore = CalibrationMetrics.ExpectedCalibrationError(labels, before, ClassCount);
        double eceAfter = CalibrationMetrics.ExpectedCalibrationError(labels, after, ClassCount);
        Assert.InRange(t, 2.6, 3.4);
        Assert.True(eceAfter < eceBefore / 2, $"ECE {eceBefore:0.000} → {eceAfter:0.000}");
    }

    [Fact]
    public void Fit_CalibratedLogits_TemperatureNearOne()
    {
        (float[] logits, int[] labels) = CalibratedSample(4000, seed: 2);

        double t = TemperatureScaling.Fit(logits, labels, ClassCount);

        Assert.InRange(t, 0.9, 1.1);
    }

    [Fact]
    public void Fit_Minimum_NeighboursHaveHigherNll()
    {
        (float[] logits, int[] labels) = CalibratedSample(500, seed: 3);

        double t = TemperatureScaling.Fit(logits, labels, ClassCount);

        double at = TemperatureScaling.NegativeLogLikelihood(logits, labels, ClassCount, t);
        Assert.True(at <= TemperatureScaling.NegativeLogLikelihood(logits, labels, ClassCount, t * 1.01));
        Assert.True(at <= TemperatureScaling.NegativeLogLikelihood(logits, labels, ClassCount, t / 1.01));
    }

    [Fact]
    public void Fit_JaggedOverload_SameAsFlat()
    {
        (float[] logits, int[] labels) = CalibratedSample(200, seed: 4);
        float[][] rows = logits.Chunk(ClassCount).ToArray();

        Assert.Equal(TemperatureScaling.Fit(logits, labels, ClassCount), TemperatureScaling.Fit(rows, labels));
    }

    [Fact]
    public void Fit_PerfectlySeparated_StopsAtLowerBound()
    {
        // Every label is the arg-max: NLL keeps falling as T → 0, so the search ends at MinTemperature.
        float[][] logits = [[2, 0], [0, 2]];

        double t = TemperatureScaling.Fit(logits, [0, 1]);

        Assert.Equal(0.05, t, 1e-5);
    }

    [Fact]
    public void Apply_TemperatureOne_PlainSoftmax()
    {
        float[][] probabilities = TemperatureScaling.Apply([[0f, MathF.Log(3)], [1000f, 0f]], 1);

        Assert.Equal(0.25f, probabilities[0][0], 1e-6f);
        Assert.Equal(0.75f, probabilities[0][1], 1e-6f);
        Assert.Equal([1f, 0f], probabilities[1]);
    }

    [Fact]
    public void Apply_TemperatureTwo_HalvesLogits()
    {
        // softmax([0, ln 9] / 2) = softmax([0, ln 3]) = [0.25, 0.75].
        float[][] probabilities = TemperatureScaling.Apply([[0f, MathF.Log(9)]], 2);

        Assert.Equal(0.25f, probabilities[0][0], 1e-6f);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Apply_BadTemperature_Throws(double temperature)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.Apply([[0f, 1f]], temperature));
    }

    [Fact]
    public void Fit_MismatchedLabels_Throws()
    {
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit([[0f, 1f], [1f, 0f]], [0]));
    }

    // Logits z ~ N(0, 1.5²) per class and labels drawn from softmax(z): calibrated by construction.
    private static (float[] Logits, int[] Labels) CalibratedSample(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var logits = new float[count * ClassCount];
        var labels = new int[count];
        var p = new double[ClassCount];
        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            for (int c = 0; c < ClassCount; c++)
            {
                float z = (float)(1.5 * random.NextGaussian());
                logits[(i * ClassCount) + c] = z;
                p[c] = Math.Exp(z);
                sum += p[c];
            }

            double u = random.NextDouble() * sum;
            int label = 0;
            while (label < ClassCount - 1 && u >= p[label])
            {
                u -= p[label];
                label++;
            }

            labels[i] = label;
        }

        return (logits, labels);
    }
}
