using static TorchSharp.torch;

namespace Cry.Training.Torch.Tests;

public class TrainerTests
{
    private static readonly TrainingOptions s_fast = new()
    {
        Epochs = 2,
        BatchSize = 8,
        LearningRate = 1e-2,
        Patience = 0,
        Threads = 1,
        Device = "cpu",
        Seed = 7,
    };

    [Fact]
    public void Fit_QuadrantToy_ReachesNinetyPercentTrainAccuracy()
    {
        var train = QuadrantImages.Create(48, seed: 1);
        var validation = QuadrantImages.Create(12, seed: 2);
        var options = s_fast with { Epochs = 8 };

        using var model = Trainer.Fit(train, validation, options, QuadrantImages.Accuracy);

        double accuracy = QuadrantImages.Accuracy(model.Predict(train.Inputs, train.Count), train.Labels);
        Assert.True(accuracy >= 0.9, $"train accuracy {accuracy:P0}");
        Assert.Equal(QuadrantImages.ClassCount, model.ClassCount);
        Assert.Equal(options.Epochs, model.History.Count);
    }

    [Fact]
    public void Fit_ScoreFallsAfterSecondEpoch_StopsAfterPatienceAndRestoresBestEpoch()
    {
        // Imbalanced training labels (16, 4, 4: class weights 0.5, 2, 2) so that the weighting shows in the losses.
        var train = QuadrantImages.Create(24, seed: 3, labelOf: n => n < 16 ? 0 : 1 + (n % 2));
        var validation = QuadrantImages.Create(9, seed: 4);
        double[] scores = [0.2, 0.8, 0.5, 0.4, 0.9, 0.95];
        int call = 0;
        var reports = new List<EpochReport>();
        var options = s_fast with { Epochs = 6, Patience = 2, LearningRate = 1e-3, StopOn = EarlyStoppingCriterion.MacroF1 };

        using var model = Trainer.Fit(
            train, validation, options, (_, _) => scores[call++], new SynchronousProgress<EpochReport>(reports.Add));

        Assert.Equal(4, call);
        Assert.Equal(2, model.BestEpoch);
        Assert.Equal([1, 2, 3, 4], model.History.Select(r => r.Epoch));
        Assert.Equal([true, true, false, false], model.History.Select(r => r.IsBest));
        Assert.Equal(model.History, reports);
        // The kept weights are epoch 2's: their validation loss is the one reported for epoch 2, not the last epoch's.
        float[,] logits = model.Predict(validation.Inputs, validation.Count);
        double loss = WeightedCrossEntropy(logits, validation.Labels, Trainer.ClassWeights(train.Labels, train.ClassCount));
        Assert.Equal(model.History[1].ValidationLoss, loss, 1e-4);
        Assert.NotEqual(loss, WeightedCrossEntropy(logits, validation.Labels, [1f, 1f, 1f]), 1e-4);
        Assert.NotEqual(model.History[3].ValidationLoss, loss, 1e-4);
        Assert.True(loss > 1e-2, $"validation loss {loss} too small to tell the epochs apart");
    }

    [Fact]
    public void Fit_SameSeedOnCpu_GivesIdenticalWeights()
    {
        var train = QuadrantImages.Create(20, seed: 5);
        var validation = QuadrantImages.Create(6, seed: 6);

        using var first = Trainer.Fit(train, validation, s_fast, QuadrantImages.Accuracy);
        using var second = Trainer.Fit(train, validation, s_fast, QuadrantImages.Accuracy);
        using var other = Trainer.Fit(train, validation, s_fast with { Seed = 8 }, QuadrantImages.Accuracy);

        var a = Flatten(first);
        Assert.Equal(a, Flatten(second));
        Assert.NotEqual(a, Flatten(other));
        Assert.Equal(first.History.Select(r => r.TrainLoss), second.History.Select(r => r.TrainLoss));
    }

    [Fact]
    public void Fit_MaskAndMixup_AreSeededAndChangeTheTraining()
    {
        var train = QuadrantImages.Create(20, seed: 5);
        var validation = QuadrantImages.Create(6, seed: 6);
        var augmented = s_fast with { MaskShare = 0.3, MixupAlpha = 0.4 };

        using var plain = Trainer.Fit(train, validation, s_fast, QuadrantImages.Accuracy);
        using var first = Trainer.Fit(train, validation, augmented, QuadrantImages.Accuracy);
        using var second = Trainer.Fit(train, validation, augmented, QuadrantImages.Accuracy);
        using var masked = Trainer.Fit(train, validation, s_fast with { MaskShare = 0.3 }, QuadrantImages.Accuracy);
        using var mixed = Trainer.Fit(train, validation, s_fast with { MixupAlpha = 0.4 }, QuadrantImages.Accuracy);

        var a = Flatten(first);
        Assert.Equal(a, Flatten(second));
        Assert.NotEqual(Flatten(plain), a);
        Assert.NotEqual(Flatten(plain), Flatten(masked));
        Assert.NotEqual(Flatten(plain), Flatten(mixed));
        Assert.NotEqual(Flatten(masked), Flatten(mixed));
    }

    [Fact]
    public void Fit_QuadrantToyWithMaskAndMixup_StillLearns()
    {
        var train = QuadrantImages.Create(48, seed: 1);
        var validation = QuadrantImages.Create(12, seed: 2);

        using var model = Trainer.Fit(train, validation, s_fast with { Epochs = 10, MaskShare = 0.25, MixupAlpha = 0.2 }, QuadrantImages.Accuracy);

        double accuracy = QuadrantImages.Accuracy(model.Predict(train.Inputs, train.Count), train.Labels);
        Assert.True(accuracy >= 0.8, $"train accuracy {accuracy:P0}");
    }

    [Theory]
    [InlineData(0.25, 8, 12)]
    [InlineData(0.5, 5, 7)]
    [InlineData(0.9, 16, 16)]
    public void Mask_Always_ZeroesOneBandOfRowsAndOneOfColumnsWithinTheShare(double share, int height, int width)
    {
        const int Batch = 6, Channels = 2;
        var values = Enumerable.Range(1, Batch * Channels * height * width).Select(v => (float)v).ToArray();
        using var x = tensor(values, [Batch, Channels, height, width]);

        using var masked = Trainer.Mask(x, share, new Random(3), CPU);

        float[] result = masked.data<float>().ToArray();
        for (int b = 0; b < Batch; b++)
        {
            // Which positions are zero must be the same in every channel of an image.
            bool[,] zero = new bool[height, width];
            for (int c = 0; c < Channels; c++)
            {
                for (int i = 0; i < height; i++)
                {
                    for (int j = 0; j < width; j++)
                    {
                        int at = (((b * Channels) + c) * height * width) + (i * width) + j;
                        bool isZero = result[at] == 0f;
                        Assert.True(isZero || result[at] == values[at], "a value that is not masked is unchanged");
                        if (c == 0)
                        {
                            zero[i, j] = isZero;
                        }
                        else
                        {
                            Assert.Equal(zero[i, j], isZero);
                        }
                    }
                }
            }

            // The zeroed rows are full rows, the zeroed columns full columns, each a contiguous band within the share.
            int[] rows = [.. Enumerable.Range(0, height).Where(i => Enumerable.Range(0, width).All(j => zero[i, j]))];
            int[] columns = [.. Enumerable.Range(0, width).Where(j => Enumerable.Range(0, height).All(i => zero[i, j]))];
            Assert.True(rows.Length <= (int)(share * height), $"{rows.Length} rows masked");
            Assert.True(columns.Length <= (int)(share * width), $"{columns.Length} columns masked");
            Assert.True(rows.Length == 0 || rows[^1] - rows[0] == rows.Length - 1, "the rows are one band");
            Assert.True(columns.Length == 0 || columns[^1] - columns[0] == columns.Length - 1, "the columns are one band");
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    Assert.Equal(rows.Contains(i) || columns.Contains(j), zero[i, j]);
                }
            }
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void MaskShare_OutOfRange_Throws(double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => s_fast with { MaskShare = share });

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void MixupAlpha_OutOfRange_Throws(double alpha) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => s_fast with { MixupAlpha = alpha });

    [Fact]
    public void Fit_Always_StoresTrainingSetChannelStatistics()
    {
        var train = QuadrantImages.Create(12, channels: 2, seed: 9);
        var validation = QuadrantImages.Create(6, channels: 2, seed: 10);

        using var model = Trainer.Fit(train, validation, s_fast with { Epochs = 1 }, QuadrantImages.Accuracy);

        var expected = ChannelNormalization.Compute(train.Inputs, 2, 16 * 16);
        Assert.Equal(expected.Mean, model.Normalization.Mean);
        Assert.Equal(expected.Std, model.Normalization.Std);
        // QuadrantImages offsets channel c by c; the channels' noise differs, so only about 1.
        Assert.Equal(1.0, model.Normalization.Mean[1] - model.Normalization.Mean[0], 0.02);
    }

    [Fact]
    public void Predict_Always_NormalisesBeforeTheNetwork()
    {
        var train = QuadrantImages.Create(12, seed: 11);
        using var model = Trainer.Fit(train, train, s_fast with { Epochs = 1 }, QuadrantImages.Accuracy);
        float mean = model.Normalization.Mean[0];
        float std = model.Normalization.Std[0];

        float[,] logits = model.Predict(train.Inputs, train.Count);

        using var noGrad = no_grad();
        using var raw = tensor(train.Inputs, [train.Count, 1, 16, 16]);
        using var normalised = (raw - mean) / std;
        using var direct = model.Module.forward(normalised);
        var expected = direct.data<float>().ToArray();
        for (int i = 0; i < train.Count; i++)
        {
            for (int k = 0; k < model.ClassCount; k++)
            {
                Assert.Equal(expected[(i * model.ClassCount) + k], logits[i, k], 1e-4f);
            }
        }
    }

    [Fact]
    public void Predict_NoImages_ReturnsEmptyLogits()
    {
        var train = QuadrantImages.Create(6, seed: 12);
        using var model = Trainer.Fit(train, train, s_fast with { Epochs = 1 }, QuadrantImages.Accuracy);

        Assert.Equal(0, model.Predict([], 0).GetLength(0));
        Assert.Throws<ArgumentException>(() => model.Predict(new float[10], 1));
    }

    [Fact]
    public void Fit_CudaWithoutCuda_ThrowsClearException()
    {
        if (cuda.is_available())
        {
            Assert.Skip("CUDA is available on this machine.");
        }

        var train = QuadrantImages.Create(6, seed: 13);
        var e = Assert.Throws<InvalidOperationException>(
            () => Trainer.Fit(train, train, s_fast with { Device = "cuda" }, QuadrantImages.Accuracy));
        Assert.Contains("CUDA is not available", e.Message, StringComparison.Ordinal);
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchDevices.Resolve("auto").type);
    }

    [Fact]
    public void Fit_MismatchedShapes_Throws()
    {
        var train = QuadrantImages.Create(6, size: 16, seed: 14);
        var validation = QuadrantImages.Create(6, size: 8, seed: 15);
        Assert.Throws<ArgumentException>(() => Trainer.Fit(train, validation, s_fast, QuadrantImages.Accuracy));
    }

    [Fact]
    public void ClassWeights_ImbalancedLabels_GiveEachPresentClassTheSameTotalWeight()
    {
        // N = 6, K = 4: counts 3, 2, 1, 0 → 6/12, 6/8, 6/4 and 0 for the absent class.
        float[] weights = Trainer.ClassWeights([0, 0, 0, 1, 1, 2], 4);

        Assert.Equal([0.5f, 0.75f, 1.5f, 0f], weights);
    }

    [Fact]
    public void ClassWeights_BalancedLabels_AreAllOne() =>
        Assert.All(Trainer.ClassWeights([0, 1, 2, 2, 1, 0], 3), w => Assert.Equal(1f, w));

    [Fact]
    public void ClassWeights_LabelOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.ClassWeights([0, 3], 3));

    private static float[] Flatten(TrainedModel model) =>
        model.Module.state_dict().Values.SelectMany(t => t.to_type(ScalarType.Float32).data<float>().ToArray()).ToArray();

    /// <summary>Σ w_y · (−log softmax(z)_y) / Σ w_y, written out independently of torch.</summary>
    private static double WeightedCrossEntropy(float[,] logits, int[] labels, float[] weights)
    {
        double sum = 0;
        double weightSum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < logits.GetLength(1); k++)
            {
                max = Math.Max(max, logits[i, k]);
            }

            double logSum = 0;
            for (int k = 0; k < logits.GetLength(1); k++)
            {
                logSum += Math.Exp(logits[i, k] - max);
            }

            double nll = max + Math.Log(logSum) - logits[i, labels[i]];
            sum += weights[labels[i]] * nll;
            weightSum += weights[labels[i]];
        }

        return sum / weightSum;
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
