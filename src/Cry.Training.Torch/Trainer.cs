using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Training.Torch;

/// <summary>Trains a network of <see cref="ModelFactory"/> with Adam, class-weighted cross-entropy and early stopping.</summary>
/// <remarks>
/// <para>
/// Per epoch: the training set is shuffled by a <see cref="Random"/> seeded with <see cref="TrainingOptions.Seed"/>,
/// cut into batches of <see cref="TrainingOptions.BatchSize"/> (a last batch of a single sample is left out, since
/// batch normalisation cannot train on one sample once the maps are 1 × 1), and each batch takes one Adam step. Then
/// the validation set is scored in eval mode: the caller's score decides which epoch's weights are kept (the first
/// epoch, then any strictly higher score), and training stops after <see cref="TrainingOptions.Patience"/> epochs
/// without one. The returned model carries the best epoch's state dict (parameters and batch-norm statistics).
/// </para>
/// <para>
/// Inputs are standardised per channel with the training set's statistics (<see cref="ChannelNormalization"/>),
/// which the result keeps for <see cref="TrainedModel.Predict"/>. On the CPU a given seed, thread count and data give
/// identical weights. The CUDA path is selected when asked for and available but has not been verified on a GPU
/// (this repository ships libtorch's CPU backend); cuDNN kernels need not be deterministic.
/// </para>
/// </remarks>
public static class Trainer
{
    /// <summary>Trains a new network on <paramref name="train"/>, choosing the epoch by <paramref name="validationScore"/> on <paramref name="validation"/>.</summary>
    /// <param name="train">Training samples; their statistics define the input normalisation.</param>
    /// <param name="validation">Validation samples of the same shape and class count.</param>
    /// <param name="options">Network, optimiser, stopping, seed and device.</param>
    /// <param name="validationScore">Score of (expected labels, predicted labels) on the validation set, higher is better, e.g. macro-F1.</param>
    /// <param name="progress">Receives each epoch's report, synchronously on the training thread.</param>
    /// <returns>The network in eval mode with the best epoch's weights, its normalisation and the history.</returns>
    /// <exception cref="ArgumentException">The sets differ in shape or class count, or one is empty.</exception>
    /// <exception cref="InvalidOperationException">Device "cuda" was asked for and CUDA is not available.</exception>
    public static TrainedModel Fit(
        TrainingData train,
        TrainingData validation,
        TrainingOptions options,
        Func<int[], int[], double> validationScore,
        IProgress<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validationScore);
        if (train.Count == 0 || validation.Count == 0)
        {
            throw new ArgumentException("The training and validation sets must both hold samples.", nameof(validation));
        }

        if (validation.Channels != train.Channels || validation.Height != train.Height || validation.Width != train.Width
            || validation.ClassCount != train.ClassCount)
        {
            throw new ArgumentException(
                $"Validation shape {validation.Channels} × {validation.Height} × {validation.Width} with {validation.ClassCount} classes differs from " +
                $"training shape {train.Channels} × {train.Height} × {train.Width} with {train.ClassCount} classes.",
                nameof(validation));
        }

        Device device = TorchDevices.Resolve(options.Device);
        if (options.Threads > 0)
        {
            set_num_threads(options.Threads);
        }

        random.manual_seed(options.Seed);
        var normalization = ChannelNormalization.Compute(train.Inputs, train.Channels, train.Height * train.Width);
        Sequential model = ModelFactory.Create(
            options.Model, train.Channels, Math.Min(train.Height, train.Width), train.ClassCount);
        try
        {
            if (options.PretrainedWeights is { } pretrained)
            {
                if (options.Model != ResNet18.Name)
                {
                    throw new ArgumentException($"Pretrained weights initialise {ResNet18.Name} only, not {options.Model}.", nameof(options));
                }

                ResNet18.LoadImageNet(model, pretrained);
            }

            model.to(device);
            int bestEpoch = Run(model, device, normalization, train, validation, options, validationScore, progress, out var history);
            model.eval();
            return new TrainedModel(
                model, options.Model, train.Channels, train.Height, train.Width, train.ClassCount, normalization, device, history, bestEpoch);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Class weights w_k = N / (K · count_k) of the cross-entropy; a class without samples gets 0.</summary>
    /// <remarks>
    /// Balanced weights: every present class contributes the same total weight N / K. An absent class never occurs as a
    /// target, so its weight has no effect on the loss; 0 makes that explicit.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, <paramref name="classCount"/>).</exception>
    public static float[] ClassWeights(ReadOnlySpan<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var counts = new int[classCount];
        foreach (int label in labels)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(label, nameof(labels));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, classCount, nameof(labels));
            counts[label]++;
        }

        var weights = new float[classCount];
        for (int k = 0; k < classCount; k++)
        {
            weights[k] = counts[k] == 0 ? 0f : (float)((double)labels.Length / ((double)classCount * counts[k]));
        }

        return weights;
    }

    private static int Run(
        Sequential model,
        Device device,
        ChannelNormalization normalization,
        TrainingData train,
        TrainingData validation,
        TrainingOptions options,
        Func<int[], int[], double> validationScore,
        IProgress<EpochReport>? progress,
        out List<EpochReport> history)
    {
        history = [];
        float[] weightValues = options.ClassWeighted
            ? ClassWeights(train.Labels, train.ClassCount)
            : Enumerable.Repeat(1f, train.ClassCount).ToArray();
        using var weights = tensor(weightValues, device: device);
        using var trainX = ToNormalizedTensor(train, normalization, device);
        using var trainY = tensor(train.Labels.Select(l => (long)l).ToArray(), device: device);
        using var validationX = ToNormalizedTensor(validation, normalization, device);
        using var validationY = tensor(validation.Labels.Select(l => (long)l).ToArray(), device: device);
        using var optimizer = optim.Adam(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);

        var order = Enumerable.Range(0, train.Count).ToArray();
        var shuffler = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        double validationWeightSum = validation.Labels.Sum(l => (double)weightValues[l]);
        Dictionary<string, Tensor>? best = null;
        int bestEpoch = 0;
        double bestScore = double.NegativeInfinity;
        double bestLoss = double.PositiveInfinity;
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                shuffler.Shuffle(order);
                model.train();
                double trainLoss = TrainEpoch(model, optimizer, trainX, trainY, weights, order, options, shuffler, device);

                model.eval();
                var (predicted, lossSum) = Evaluate(model, validationX, validationY, weights, options.BatchSize);
                double validationLoss = validationWeightSum > 0 ? lossSum / validationWeightSum : double.NaN;
                double score = validationScore(validation.Labels, predicted);

                bool isBest = IsBest(options.StopOn, bestEpoch, validationLoss, bestLoss, score, bestScore);
                if (isBest)
                {
                    DisposeAll(best);
                    best = Snapshot(model);
                    bestEpoch = epoch;
                    bestScore = score;
                    bestLoss = validationLoss;
                }

                var report = new EpochReport(epoch, trainLoss, validationLoss, score, isBest, clock.Elapsed);
                history.Add(report);
                progress?.Report(report);
                if (options.Patience > 0 && options.StopOn != EarlyStoppingCriterion.Last && epoch - bestEpoch >= options.Patience)
                {
                    break;
                }
            }

            if (best is not null && bestEpoch != history.Count)
            {
                model.load_state_dict(best);
            }

            return bestEpoch;
        }
        finally
        {
            DisposeAll(best);
        }
    }

    /// <summary>Whether an epoch's weights are kept: the first epoch's, then those that beat the best by the stopping criterion.</summary>
    /// <remarks>
    /// Macro-F1 jumps from epoch to epoch on a few rare-class clips, yet measured out of fold on this corpus it keeps
    /// better epochs than the smoother validation loss, whose minimum comes in epochs 1-3 before the rare classes are
    /// learnt (docs/results.md, "What early stopping follows").
    /// </remarks>
    private static bool IsBest(EarlyStoppingCriterion stopOn, int bestEpoch, double validationLoss, double bestLoss, double score, double bestScore) =>
        bestEpoch == 0 || stopOn switch
        {
            EarlyStoppingCriterion.ValidationLoss => validationLoss < bestLoss,
            EarlyStoppingCriterion.MacroF1 => score > bestScore,
            _ => true, // A fixed budget: the last epoch is kept.
        };

    private static double TrainEpoch(
        Sequential model,
        optim.Optimizer optimizer,
        Tensor inputs,
        Tensor labels,
        Tensor weights,
        int[] order,
        TrainingOptions options,
        Random random,
        Device device)
    {
        int batchSize = options.BatchSize;
        double lossSum = 0;
        int seen = 0;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int length = Math.Min(batchSize, order.Length - start);
            if (length == 1 && order.Length > 1)
            {
                break;
            }

            using var scope = NewDisposeScope();
            var index = tensor(order.AsSpan(start, length).ToArray().Select(i => (long)i).ToArray(), device: device);
            var x = inputs.index_select(0, index);
            var y = labels.index_select(0, index);
            if (options.MaskShare > 0)
            {
                x = Mask(x, options.MaskShare, random, device);
            }

            optimizer.zero_grad();
            Tensor loss;
            if (options.MixupAlpha > 0)
            {
                // mixup (Zhang et al. 2018): one λ per batch, the batch mixed with a permutation of itself.
                double lambda = MathNet.Numerics.Distributions.Beta.Sample(random, options.MixupAlpha, options.MixupAlpha);
                int[] permutation = [.. Enumerable.Range(0, length)];
                random.Shuffle(permutation);
                var other = tensor(permutation.Select(i => (long)i).ToArray(), device: device);
                var logits = model.forward((x * lambda) + (x.index_select(0, other) * (1 - lambda)));
                loss = (nn.functional.cross_entropy(logits, y, weights) * lambda) + (nn.functional.cross_entropy(logits, y.index_select(0, other), weights) * (1 - lambda));
            }
            else
            {
                loss = nn.functional.cross_entropy(model.forward(x), y, weights);
            }

            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * length;
            seen += length;
        }

        return seen > 0 ? lossSum / seen : double.NaN;
    }

    /// <summary>SpecAugment-style masks: per image, one band of rows and one of columns (random widths up to <paramref name="share"/> of the side) set to 0.</summary>
    /// <remarks>
    /// On a mel image the bands are a frequency band and a stretch of time (Park et al. 2019); on a Gramian or Markov
    /// image both axes are time, so a band hides one stretch of the series from half of its pairs. The inputs are
    /// normalised per channel, so 0 is each channel's training mean.
    /// </remarks>
    internal static Tensor Mask(Tensor x, double share, Random random, Device device)
    {
        long batch = x.shape[0], height = x.shape[2], width = x.shape[3];
        var keep = new float[batch * height * width];
        Array.Fill(keep, 1f);
        for (long b = 0; b < batch; b++)
        {
            int rows = random.Next((int)(share * height) + 1), columns = random.Next((int)(share * width) + 1);
            int row = random.Next((int)height - rows + 1), column = random.Next((int)width - columns + 1);
            for (long i = 0; i < height; i++)
            {
                for (long j = 0; j < width; j++)
                {
                    if ((i >= row && i < row + rows) || (j >= column && j < column + columns))
                    {
                        keep[(b * height * width) + (i * width) + j] = 0f;
                    }
                }
            }
        }

        return x * tensor(keep, [batch, 1, height, width], device: device);
    }

    /// <summary>Predicted labels and the sum of the class-weighted per-sample losses, in eval mode without gradients.</summary>
    private static (int[] Predicted, double LossSum) Evaluate(
        Sequential model, Tensor inputs, Tensor labels, Tensor weights, int batchSize)
    {
        long count = inputs.shape[0];
        var predicted = new int[count];
        double lossSum = 0;
        using var noGrad = no_grad();
        for (long start = 0; start < count; start += batchSize)
        {
            long length = Math.Min(batchSize, count - start);
            using var scope = NewDisposeScope();
            var logits = model.forward(inputs.narrow(0, start, length));
            lossSum += nn.functional.cross_entropy(logits, labels.narrow(0, start, length), weights, reduction: nn.Reduction.Sum).item<float>();
            var labelsOut = logits.argmax(1).cpu().data<long>();
            for (int i = 0; i < length; i++)
            {
                predicted[start + i] = (int)labelsOut[i];
            }
        }

        return (predicted, lossSum);
    }

    /// <summary>The whole set as one normalised N × C × H × W tensor on <paramref name="device"/>.</summary>
    internal static Tensor ToNormalizedTensor(TrainingData data, ChannelNormalization normalization, Device device)
    {
        using var scope = NewDisposeScope();
        var raw = tensor(data.Inputs, [data.Count, data.Channels, data.Height, data.Width]).to(device);
        return normalization.Apply(raw).MoveToOuterDisposeScope();
    }

    private static Dictionary<string, Tensor> Snapshot(Sequential model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        if (state is null)
        {
            return;
        }

        foreach (var t in state.Values)
        {
            t.Dispose();
        }
    }
}
