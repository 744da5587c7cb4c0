using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class OutOfFoldEnsembleTests
{
    private static readonly string[] s_labels = ["a", "b"];

    /// <summary>Eight clips of four groups, two classes; the member's probability of "a" for each clip.</summary>
    private static OutOfFoldPredictions Member(params double[] probabilityOfA) => new(
        s_labels,
        [.. Enumerable.Range(0, 8).Select(i => $"clip{i}")],
        [.. Enumerable.Range(0, 8).Select(i => $"group{i / 2}")],
        [0, 0, 1, 1, 0, 0, 1, 1],
        [.. probabilityOfA.SelectMany(p => new[] { (float)p, (float)(1 - p) })]);

    [Fact]
    public void Evaluate_TwoMembers_AveragesTheirProbabilitiesClipByClip()
    {
        // Each member alone is wrong on half the clips; their mean is right on every clip.
        var first = Member(0.9, 0.9, 0.2, 0.2, 0.45, 0.45, 0.6, 0.6);
        var second = Member(0.45, 0.45, 0.6, 0.6, 0.9, 0.9, 0.2, 0.2);

        var (report, pooled) = OutOfFoldEnsemble.Evaluate([first, second], folds: 2, seed: 1);

        Assert.Equal([0.675f, 0.325f, 0.675f, 0.325f, 0.4f, 0.6f, 0.4f, 0.6f, 0.675f, 0.325f, 0.675f, 0.325f], pooled.Probabilities.Take(12).Select(p => MathF.Round(p, 4)));
        Assert.Equal(1.0, report.Accuracy);
        Assert.Equal(1.0, report.MacroF1);
        Assert.NotNull(report.ConfidenceIntervals);
        Assert.NotNull(report.Folds);
        Assert.Equal(2, report.Folds!.MacroF1.Count);
        Assert.Equal(0.5, MetricsReport.Evaluate(s_labels, first.Actual, first.Probabilities).Accuracy);
    }

    [Fact]
    public void Evaluate_MembersInAnotherClipOrder_AreMatchedByClipId()
    {
        var first = Member(0.9, 0.8, 0.3, 0.1, 0.7, 0.6, 0.4, 0.2);
        var same = Member(0.5, 0.4, 0.3, 0.2, 0.1, 0.2, 0.3, 0.4);
        int[] order = [7, 6, 5, 4, 3, 2, 1, 0];
        var reversed = new OutOfFoldPredictions(
            s_labels,
            [.. order.Select(i => same.Clips[i])],
            [.. order.Select(i => same.Groups[i])],
            [.. order.Select(i => same.Actual[i])],
            [.. order.SelectMany(i => same.Probabilities.AsSpan(i * 2, 2).ToArray())]);

        var (_, inOrder) = OutOfFoldEnsemble.Evaluate([first, same], 2, 1);
        var (_, matched) = OutOfFoldEnsemble.Evaluate([first, reversed], 2, 1);

        Assert.Equal(inOrder.Probabilities, matched.Probabilities);
        Assert.Equal(first.Clips, matched.Clips);
    }

    [Fact]
    public void Evaluate_MembersThatDisagree_Throw()
    {
        var member = Member(0.9, 0.8, 0.3, 0.1, 0.7, 0.6, 0.4, 0.2);

        Assert.Contains("at least two members", Assert.Throws<ArgumentException>(() => OutOfFoldEnsemble.Evaluate([member], 2, 1)).Message, StringComparison.Ordinal);
        var fewer = member with { Clips = member.Clips[..6], Groups = member.Groups[..6], Actual = member.Actual[..6], Probabilities = member.Probabilities[..12] };
        Assert.Contains("predicts 6 clips", Assert.Throws<ArgumentException>(() => OutOfFoldEnsemble.Evaluate([member, fewer], 2, 1)).Message, StringComparison.Ordinal);
        var relabelled = member with { Actual = [1, 0, 1, 1, 0, 0, 1, 1] };
        Assert.Contains("clip0 is not the first member's", Assert.Throws<ArgumentException>(() => OutOfFoldEnsemble.Evaluate([member, relabelled], 2, 1)).Message, StringComparison.Ordinal);
        var renamed = member with { Labels = ["a", "c"] };
        Assert.Contains("has the labels a, c", Assert.Throws<ArgumentException>(() => OutOfFoldEnsemble.Evaluate([member, renamed], 2, 1)).Message, StringComparison.Ordinal);
    }
}
