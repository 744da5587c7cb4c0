using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.LinearModels;

/// <summary>Settings of <see cref="VectorCrossValidation"/>.</summary>
public sealed record VectorCrossValidationOptions
{
    /// <summary>Grouped outer folds (the same assignment as the networks' cross-validation for the same seed).</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seed of the folds and of the intervals.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The L2 penalties to choose among, in each outer training part, by inner grouped cross-validation.</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [0.01, 0.1, 1, 10, 100];

    /// <summary>Inner grouped folds for the choice of the penalty (fewer where a need has fewer app instances).</summary>
    public int InnerFolds { get; init; } = 3;

    /// <summary>Weight every need equally in training (as the research's augmentation of the rare needs does).</summary>
    public bool Balanced { get; init; } = true;
}

/// <summary>The pooled out-of-fold predictions of a <see cref="VectorCrossValidation"/>.</summary>
/// <param name="Report">Metrics on the pooled predictions, with fold mean ± sd, intervals and baselines.</param>
/// <param name="Actual">True label of every clip, in the dataset's order.</param>
/// <param name="Probabilities">Out-of-fold class probabilities, row-major (clips × classes).</param>
/// <param name="ChosenLambdas">The penalty each outer fold chose.</param>
public sealed record VectorCrossValidationResult(MetricsReport Report, int[] Actual, float[] Probabilities, double[] ChosenLambdas);

/// <summary>
/// Grouped cross-validation of regularised multinomial logistic regression on one feature vector per clip (acoustic
/// functionals, embeddings): the product's stratified group k-fold; in each outer fold the penalty is chosen by the
/// log-loss of an inner grouped cross-validation on the training part only, the model is refitted there, and the test
/// clips are scored. Every clip is predicted once, by a model that never saw its app instance.
/// </summary>
public static class VectorCrossValidation
{
    /// <summary>Runs the cross-validation.</summary>
    /// <param name="vectors">One feature vector per clip, all of one length.</param>
    /// <param name="labels">Class index of each clip.</param>
    /// <param name="groups">App instance (group) of each clip.</param>
    /// <param name="classNames">The classes, in index order.</param>
    /// <param name="options">Folds, seed, penalties.</param>
    /// <param name="log">Receives one line per fold.</param>
    /// <exception cref="DatasetException">A class has fewer groups than folds.</exception>
    /// <exception cref="ArgumentException">The sizes disagree or no penalty is given.</exception>
    public static VectorCrossValidationResult Run(
        IReadOnlyList<float[]> vectors, int[] labels, IReadOnlyList<string> groups, IReadOnlyList<string> classNames, VectorCrossValidationOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(options);
        if (vectors.Count == 0 || vectors.Count != labels.Length || labels.Length != groups.Count || vectors.Any(v => v.Length != vectors[0].Length))
        {
            throw new ArgumentException("One vector, label and group per clip, all vectors of one length.", nameof(vectors));
        }

        if (options.Lambdas.Count == 0 || options.Lambdas.Any(l => !(l > 0)))
        {
            throw new ArgumentException("Give at least one penalty, each positive.", nameof(options));
        }

        int classes = classNames.Count;
        var splits = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = options.Folds, Seed = options.Seed })
            .Split(labels, groups, classes, classNames);
        var probabilities = new float[labels.Length * classes];
        var chosen = new double[splits.Count];
        var foldMetrics = new List<ClassificationMetrics>();
        foreach (var split in splits)
        {
            chosen[split.Fold] = ChooseLambda(vectors, labels, groups, split.TrainIndices, classes, options, split.Fold);
            var model = FitOn(vectors, labels, split.TrainIndices, classes, options, chosen[split.Fold]);
            var foldProbabilities = new float[split.TestIndices.Length * classes];
            for (int i = 0; i < split.TestIndices.Length; i++)
            {
                model.Probabilities(vectors[split.TestIndices[i]], foldProbabilities.AsSpan(i * classes, classes));
            }

            for (int i = 0; i < split.TestIndices.Length; i++)
            {
                foldProbabilities.AsSpan(i * classes, classes).CopyTo(probabilities.AsSpan(split.TestIndices[i] * classes, classes));
            }

            var metrics = ClassificationMetrics.Compute([.. split.TestIndices.Select(i => labels[i])], foldProbabilities, classes);
            foldMetrics.Add(metrics);
            log?.Invoke($"fold {split.Fold + 1}/{splits.Count}: lambda {chosen[split.Fold]:g3}, macro-F1 {metrics.MacroF1:0.000}, balanced accuracy {metrics.BalancedAccuracy:0.000}");
        }

        var report = MetricsReport.Evaluate(classNames, labels, probabilities, groups, bootstrap: new BootstrapOptions { Seed = options.Seed })
            with
            {
                Folds = FoldSummary.Of(foldMetrics),
            };
        return new VectorCrossValidationResult(report, labels, probabilities, chosen);
    }

    /// <summary>The penalty with the lowest pooled inner out-of-fold log-loss on some training clips.</summary>
    private static double ChooseLambda(
        IReadOnlyList<float[]> vectors, int[] labels, IReadOnlyList<string> groups, int[] train, int classes, VectorCrossValidationOptions options, int fold)
    {
        if (options.Lambdas.Count == 1)
        {
            return options.Lambdas[0];
        }

        int[] trainLabels = [.. train.Select(i => labels[i])];
        string[] trainGroups = [.. train.Select(i => groups[i])];
        int fewest = GroupTable.Build(trainLabels, trainGroups, classes).GroupsPerClass().Where(c => c > 0).Min();
        int innerFolds = Math.Min(options.InnerFolds, fewest);
        if (innerFolds < 2)
        {
            return options.Lambdas[options.Lambdas.Count / 2]; // Too few app instances to choose: the middle penalty.
        }

        var inner = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = innerFolds, Seed = options.Seed + (ulong)fold + 1 })
            .Split(trainLabels, trainGroups, classes);
        double best = double.PositiveInfinity, bestLambda = options.Lambdas[0];
        foreach (double lambda in options.Lambdas)
        {
            double loss = 0;
            foreach (var split in inner)
            {
                var model = FitOn(vectors, labels, [.. split.TrainIndices.Select(i => train[i])], classes, options, lambda);
                var p = new float[classes];
                foreach (int i in split.TestIndices)
                {
                    model.Probabilities(vectors[train[i]], p);
                    loss -= Math.Log(Math.Max(p[trainLabels[i]], 1e-15));
                }
            }

            if (loss < best)
            {
                best = loss;
                bestLambda = lambda;
            }
        }

        return bestLambda;
    }

    private static SoftmaxModel FitOn(IReadOnlyList<float[]> vectors, int[] labels, int[] indices, int classes, VectorCrossValidationOptions options, double lambda)
    {
        int dimension = vectors[0].Length;
        var features = new float[indices.Length * dimension];
        var y = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            vectors[indices[i]].CopyTo(features, i * dimension);
            y[i] = labels[indices[i]];
        }

        double[] weights = options.Balanced ? SoftmaxRegression.BalancedWeights(y, classes) : [.. Enumerable.Repeat(1.0, y.Length)];
        return SoftmaxRegression.Fit(features, dimension, y, classes, weights, lambda);
    }
}
