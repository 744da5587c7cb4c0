using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class UncertaintyThresholdTests
{
    private static float[] Rows(params (float A, float B)[] rows) => rows.SelectMany(r => new[] { r.A, r.B }).ToArray();

    [Fact]
    public void Threshold_IsTheLowestConfidenceOfTheLongestPrefixAtTheTarget()
    {
        // Confidences 0.95 ✓, 0.9 ✓, 0.8 ✓, 0.7 ✗, 0.6 ✓, 0.55 ✗ ✗ → prefixes: 1, 1, 1, .75, .8, .67, .57.
        int[] actual = [0, 0, 1, 1, 0, 0, 1];
        var p = Rows((0.95f, 0.05f), (0.9f, 0.1f), (0.2f, 0.8f), (0.7f, 0.3f), (0.6f, 0.4f), (0.45f, 0.55f), (0.55f, 0.45f));
        Assert.Equal(0.6, UncertaintyThreshold.Choose(actual, p, 2), 6);
        Assert.Equal(0.8, UncertaintyThreshold.Choose(actual, p, 2, targetAccuracy: 1.0), 6);
    }

    [Fact]
    public void AModelThatIsNeverRightEnough_FlagsEverything()
    {
        int[] actual = [1, 1, 0];
        var p = Rows((0.9f, 0.1f), (0.8f, 0.2f), (0.3f, 0.7f));
        Assert.Equal(1.0, UncertaintyThreshold.Choose(actual, p, 2));
        Assert.Equal(1.0, UncertaintyThreshold.Choose([], [], 2));
    }

    [Fact]
    public void TiedConfidences_AreJudgedTogether()
    {
        // Two predictions at 0.9, one right and one wrong: at target 0.8 neither can be taken alone.
        int[] actual = [0, 1];
        var p = Rows((0.9f, 0.1f), (0.9f, 0.1f));
        Assert.Equal(1.0, UncertaintyThreshold.Choose(actual, p, 2));
    }

    [Fact]
    public void MismatchedLengths_AreRefused() =>
        Assert.Throws<ArgumentException>(() => UncertaintyThreshold.Choose([0, 1], Rows((0.5f, 0.5f)), 2));
}
