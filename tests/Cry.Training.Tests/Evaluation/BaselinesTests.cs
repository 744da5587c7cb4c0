using Cry.Audio.Augmentation;
using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class BaselinesTests
{
    // 6 × class 0, 3 × class 1, 1 × class 2.
    private static readonly int[] s_actual = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];

    [Fact]
    public void AlwaysMajority_PriorsFromScoredLabels_HandValues()
    {
        BaselineMetrics b = Baselines.AlwaysMajority(s_actual, 3);

        // F1 of class 0 = 2·6 / (6 + 10) = 0.75; the other two classes score 0.
        Assert.Equal(Baselines.AlwaysMajorityName, b.Name);
        Assert.Equal(0.6, b.Accuracy, 1e-12);
        Assert.Equal(1.0 / 3, b.BalancedAccuracy, 1e-12);
        Assert.Equal(0.25, b.MacroF1, 1e-12);
    }

    [Fact]
    public void AlwaysMajority_TrainingLabels_DecideTheClass()
    {
        BaselineMetrics b = Baselines.AlwaysMajority(s_actual, 3, trainingLabels: [1, 1, 0]);

        // Always 1: accuracy 0.3, recall 1 for class 1 only, F1_1 = 2·3 / (3 + 10).
        Assert.Equal(0.3, b.Accuracy, 1e-12);
        Assert.Equal(1.0 / 3, b.BalancedAccuracy, 1e-12);
        Assert.Equal(6.0 / 13 / 3, b.MacroF1, 1e-12);
    }

    [Fact]
    public void ClassPriorRandom_PriorsFromScoredLabels_HandValues()
    {
        BaselineMetrics b = Baselines.ClassPriorRandom(s_actual, 3);

        // q = (0.6, 0.3, 0.1): accuracy Σ p·q = 0.36 + 0.09 + 0.01; recall_i = q_i; with q = p, F1_j = q_j.
        Assert.Equal(0.46, b.Accuracy, 1e-12);
        Assert.Equal(1.0 / 3, b.BalancedAccuracy, 1e-12);
        Assert.Equal(1.0 / 3, b.MacroF1, 1e-12);
    }

    [Fact]
    public void ClassPriorRandom_AgreesWithSeededSimulation()
    {
        int[] actual = Enumerable.Range(0, 1000).Select(i => i < 700 ? 0 : i < 900 ? 1 : 2).ToArray();
        int[] training = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
        BaselineMetrics analytic = Baselines.ClassPriorRandom(actual, 3, training);

        var random = new SeededRandom(17);
        double accuracy = 0;
        double balanced = 0;
        double macroF1 = 0;
        const int Draws = 300;
        var predicted = new int[actual.Length];
        for (int d = 0; d < Draws; d++)
        {
            for (int i = 0; i < predicted.Length; i++)
            {
                double u = random.NextDouble();
                predicted[i] = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
            }

            var m = ClassificationMetrics.Compute(actual, predicted, 3);
            accuracy += m.Accuracy / Draws;
            balanced += m.BalancedAccuracy / Draws;
            macroF1 += m.MacroF1 / Draws;
        }

        // Accuracy and balanced accuracy are exact expectations; macro-F1 is the plug-in value, close for n = 1000.
        Assert.Equal(analytic.Accuracy, accuracy, 0.003);
        Assert.Equal(analytic.BalancedAccuracy, balanced, 0.003);
        Assert.Equal(analytic.MacroF1, macroF1, 0.005);
    }

    [Fact]
    public void Compute_BothBaselines_MajorityFirst()
    {
        IReadOnlyList<BaselineMetrics> both = Baselines.Compute(s_actual, 3);

        Assert.Equal([Baselines.AlwaysMajorityName, Baselines.ClassPriorRandomName], both.Select(b => b.Name));
    }

    [Fact]
    public void Compute_NoClips_Throws()
    {
        Assert.Throws<ArgumentException>(() => Baselines.Compute([], 3));
    }
}
