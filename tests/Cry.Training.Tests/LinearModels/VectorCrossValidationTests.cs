using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.LinearModels;

namespace Cry.Training.Tests.LinearModels;

public class VectorCrossValidationTests
{
    private static readonly string[] s_classes = ["hungry", "tired", "burping"];

    /// <summary>Three clips per group, ten groups per class; with <paramref name="signal"/> the first feature tells the class.</summary>
    private static (float[][] Vectors, int[] Labels, string[] Groups) Data(bool signal, int seed)
    {
        var random = new Random(seed);
        var vectors = new List<float[]>();
        var labels = new List<int>();
        var groups = new List<string>();
        for (int k = 0; k < 3; k++)
        {
            for (int g = 0; g < 10; g++)
            {
                for (int c = 0; c < 3; c++)
                {
                    var v = new float[6];
                    for (int j = 0; j < v.Length; j++)
                    {
                        v[j] = (float)((random.NextDouble() * 2) - 1);
                    }

                    if (signal)
                    {
                        v[0] += 3 * k;
                    }

                    vectors.Add(v);
                    labels.Add(k);
                    groups.Add($"g{k}-{g}");
                }
            }
        }

        return ([.. vectors], [.. labels], [.. groups]);
    }

    [Fact]
    public void AFeatureThatTellsTheClass_IsFound_AndNoiseStaysNearChance()
    {
        var options = new VectorCrossValidationOptions { Folds = 5, Lambdas = [0.1, 1, 10] };
        var (x, y, g) = Data(signal: true, seed: 1);
        var found = VectorCrossValidation.Run(x, y, g, s_classes, options);
        Assert.True(found.Report.MacroF1 > 0.9, $"macro-F1 {found.Report.MacroF1}");
        Assert.All(found.ChosenLambdas, l => Assert.Contains(l, options.Lambdas));
        Assert.Equal(5, found.Report.Folds!.MacroF1PerFold.Length);

        var (nx, ny, ng) = Data(signal: false, seed: 2);
        var noise = VectorCrossValidation.Run(nx, ny, ng, s_classes, options);
        Assert.InRange(noise.Report.BalancedAccuracy, 0.1, 0.6);
        Assert.InRange(noise.Report.ConfidenceIntervals!.BalancedAccuracy.Lower, 0, 1 / 3.0);
    }

    [Fact]
    public void EveryClipIsPredictedOnce_InTheDatasetsOrder_ByAModelThatDidNotSeeItsGroup()
    {
        var (x, y, g) = Data(signal: true, seed: 3);
        var result = VectorCrossValidation.Run(x, y, g, s_classes, new VectorCrossValidationOptions { Folds = 3 });
        Assert.Equal(y, result.Actual);
        Assert.Equal(y.Length * 3, result.Probabilities.Length);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.Equal(1.0, result.Probabilities.AsSpan(i * 3, 3).ToArray().Sum(), 1e-5);
        }

        // The same fold assignment as the networks' cross-validation: one group never straddles folds.
        int[] folds = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = 3, Seed = 1 }).AssignFolds(y, g, 3);
        Assert.All(g.Distinct(), group => Assert.Single(folds.Where((_, i) => g[i] == group).Distinct()));
    }

    [Fact]
    public void TooFewGroups_AndBadInput_AreRefused()
    {
        var (x, y, g) = Data(signal: true, seed: 4);
        Assert.Throws<DatasetException>(() => VectorCrossValidation.Run(x, y, g, s_classes, new VectorCrossValidationOptions { Folds = 11 }));
        Assert.Throws<ArgumentException>(() => VectorCrossValidation.Run(x, y, g, s_classes, new VectorCrossValidationOptions { Lambdas = [] }));
        Assert.Throws<ArgumentException>(() => VectorCrossValidation.Run(x[1..], y, g, s_classes, new VectorCrossValidationOptions()));
    }
}
