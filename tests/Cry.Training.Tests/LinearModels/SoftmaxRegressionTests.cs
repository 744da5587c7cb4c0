using Cry.Training.LinearModels;

namespace Cry.Training.Tests.LinearModels;

public class SoftmaxRegressionTests
{
    /// <summary>Clips of three classes in three-dimensional space: class k centred at <paramref name="separation"/> on axis k; the third feature is noise.</summary>
    private static (float[] Features, int[] Labels) Clusters(int perClass, double separation, int seed, int[]? counts = null)
    {
        var random = new Random(seed);
        var features = new List<float>();
        var labels = new List<int>();
        for (int k = 0; k < 3; k++)
        {
            for (int i = 0; i < (counts?[k] ?? perClass); i++)
            {
                double[] x = [Gaussian(random), Gaussian(random), Gaussian(random) * 100];
                if (k < 2)
                {
                    x[k] += separation;
                }

                features.AddRange(x.Select(v => (float)v));
                labels.Add(k);
            }
        }

        return ([.. features], [.. labels]);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Accuracy(SoftmaxModel model, float[] features, int[] labels)
    {
        var p = model.Probabilities(features);
        int right = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = p.AsSpan(i * 3, 3).ToArray();
            right += Array.IndexOf(row, row.Max()) == labels[i] ? 1 : 0;
        }

        return (double)right / labels.Length;
    }

    [Fact]
    public void SeparatedClasses_AreLearned_AndNewSamplesClassified_WithProbabilitiesThatSumToOne()
    {
        var (x, y) = Clusters(60, 6, seed: 1);
        var model = SoftmaxRegression.Fit(x, 3, y, 3, SoftmaxRegression.BalancedWeights(y, 3), 0.1);
        var (testX, testY) = Clusters(40, 6, seed: 2);
        Assert.True(Accuracy(model, testX, testY) > 0.97);
        var p = model.Probabilities(testX);
        for (int i = 0; i < testY.Length; i++)
        {
            Assert.Equal(1.0, p.AsSpan(i * 3, 3).ToArray().Sum(), 1e-5);
        }

        // The noise feature (scale 100) gets little weight once standardised: the penalty sees standardised weights.
        Assert.True(Math.Abs(model.Coefficients[3]) < 0.5 && Math.Abs(model.Coefficients[1]) > 1);
    }

    [Fact]
    public void ALargerPenalty_ShrinksTowardTheWeightedPrior()
    {
        var (x, y) = Clusters(60, 2, seed: 3);
        double Spread(double lambda)
        {
            var p = SoftmaxRegression.Fit(x, 3, y, 3, SoftmaxRegression.BalancedWeights(y, 3), lambda).Probabilities(x);
            return p.Max() - p.Min();
        }

        Assert.True(Spread(1000) < Spread(1) && Spread(1) < Spread(0.01));
        var flat = SoftmaxRegression.Fit(x, 3, y, 3, SoftmaxRegression.BalancedWeights(y, 3), 1e6).Probabilities(x);
        Assert.All(flat, v => Assert.Equal(1 / 3.0, v, 0.01));
    }

    [Fact]
    public void BalancedWeights_GiveEveryClassTheSameTotal_AndMoveTheAnswersTowardTheRareClass()
    {
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 2];
        var weights = SoftmaxRegression.BalancedWeights(labels, 3);
        Assert.Equal(weights[..6].Sum(), weights[6..8].Sum(), 1e-9);
        Assert.Equal(weights[..6].Sum(), weights[8], 1e-9);
        Assert.Equal(labels.Length, weights.Sum(), 1e-9);

        var (x, y) = Clusters(0, 1, seed: 4, counts: [300, 30, 30]);
        var plain = SoftmaxRegression.Fit(x, 3, y, 3, [.. Enumerable.Repeat(1.0, y.Length)], 1);
        var balanced = SoftmaxRegression.Fit(x, 3, y, 3, SoftmaxRegression.BalancedWeights(y, 3), 1);
        double Rare(SoftmaxModel m) => m.Probabilities(x).Where((_, i) => i % 3 == 2).Average();
        Assert.True(Rare(balanced) > 2 * Rare(plain));
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        float[] x = [0, 1, 2, 3];
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0, 1], 2, [1, 1], 0));
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0, 2], 2, [1, 1], 1));
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0], 2, [1], 1));
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0, 1], 1, [1, 1], 1));
    }
}
