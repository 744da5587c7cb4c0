using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class TrustReportTests
{
    private static readonly string[] s_labels = ["hungry", "tired"];

    private static TrustCase Cry(int need, double score, bool detected, float[] p, int[] set, bool confident, string source = "wav") =>
        new($"c{need}{score}", source, IsCry: true, need, 7, score, detected, detected ? 1 : 0, detected ? p : null, detected ? set : [], confident);

    private static TrustCase NonCry(string source, double score, bool detected, int segments, bool confident = false) =>
        new($"n{source}{score}", source, IsCry: false, null, 600, score, detected, segments, detected ? [0.9f, 0.1f] : null, detected ? [0] : [], confident);

    [Fact]
    public void Compute_CountsEveryStatementAgainstTheTruth()
    {
        TrustCase[] cases =
        [
            Cry(0, 0.9, true, [0.8f, 0.2f], [0], confident: true),        // right, covered
            Cry(0, 0.8, true, [0.3f, 0.7f], [1, 0], confident: true),     // wrong, covered
            Cry(1, 0.7, true, [0.4f, 0.6f], [1], confident: false),       // right, covered
            Cry(1, 0.2, false, [0.5f, 0.5f], [0, 1], confident: false),   // missed: not covered
            NonCry("speech", 0.1, false, 0),
            NonCry("speech", 0.85, true, 2, confident: true),             // let through, confident: wrong
            NonCry("noise", 0.05, false, 0),
        ];

        var trust = TrustReport.Compute(s_labels, cases, 0.9);

        var d = trust.Detector!;
        Assert.Equal((4, 3), (d.Cries, d.NonCries));
        Assert.Equal(0.75, d.Recall, 12);
        Assert.Equal(2 / 3.0, d.Specificity, 12);
        // Cry scores 0.9, 0.8, 0.7, 0.2 against 0.1, 0.85, 0.05: the non-cry at 0.85 outranks three of the cries.
        Assert.Equal((3 + 2 + 2 + 2) / 12.0, d.Auc, 12);
        Assert.Equal(2 / 0.5, d.FalseSegmentsPerHour!.Value, 12); // 2 false segments in 3 × 600 s = 0.5 h.
        var speech = Assert.Single(d.PerSource, s => s.Source == "speech");
        Assert.Equal((2, 1, 0.5), (speech.Count, speech.Correct, speech.Rate));
        Assert.True(speech.Lower < 0.5 && speech.Upper > 0.5);

        var sets = trust.Sets!;
        Assert.Equal((4, 3), (sets.Cries, sets.Covered));
        Assert.Equal(1.0, sets.CoverageWhenDetected, 12);
        Assert.Equal(4 / 3.0, sets.MeanSize, 12);
        Assert.Equal((2, 1), (sets.PerClass[1].Count, sets.PerClass[1].Covered));

        var confident = trust.Confident;
        Assert.Equal((3, 1, 1), (confident.Answers, confident.Right, confident.NonCriesAnswered));
        Assert.Equal(2 / 3.0, confident.ShareOfDetectedCries, 12);
        Assert.Equal((2, 1), (confident.PerLabel[0].Count, confident.PerLabel[0].Correct)); // hungry: one right, one non-cry
        Assert.Equal((1, 0), (confident.PerLabel[1].Count, confident.PerLabel[1].Correct));
        Assert.Equal(1.0, confident.AccuracyCoverage[0].Y, 12);               // the most probable answer (0.8) is right
        Assert.Equal(2 / 3.0, confident.AccuracyCoverage[^1].Y, 12);          // all three detected need cries: two right

        var calibration = trust.Calibration!;
        Assert.Equal(3, calibration.Answers);
        Assert.Equal(3, calibration.Bins.Sum(b => b.Count));
    }

    [Fact]
    public void Compute_WithoutDetectorOrSets_AnswersEveryRecording()
    {
        TrustCase[] cases =
        [
            new("a", "wav", true, 0, 7, null, null, null, [0.9f, 0.1f], null, Confident: false),
            new("b", "wav", true, 1, 7, null, null, null, [0.9f, 0.1f], null, Confident: false),
        ];

        var trust = TrustReport.Compute(s_labels, cases, setLevel: null);

        Assert.Null(trust.Detector);
        Assert.Null(trust.Sets);
        Assert.Equal(0, trust.Confident.Answers);
        Assert.Equal(0.5, trust.Confident.AccuracyCoverage[^1].Y, 12);
        Assert.Equal(2, trust.Calibration!.Answers);
        Assert.Contains("No cry detector", TrustReportMarkdown.Render(trust), StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_RefusesANeedOnANonCry()
    {
        TrustCase[] cases = [new("a", "x", IsCry: false, 0, 7, 0.1, false, 0, null, [], false)];
        Assert.Throws<ArgumentException>(() => TrustReport.Compute(s_labels, cases, 0.9));
    }

    [Fact]
    public void Json_RoundTripsThroughTheMetricsReport()
    {
        TrustCase[] cases = [Cry(0, 0.9, true, [0.8f, 0.2f], [0], true), NonCry("speech", 0.1, false, 0)];
        var trust = TrustReport.Compute(s_labels, cases, 0.9);
        var report = MetricsReport.Evaluate(s_labels, [0, 1], [0.8f, 0.2f, 0.3f, 0.7f]) with { Trust = trust };

        var back = MetricsReport.FromJson(report.ToJson()).Trust!;

        Assert.Equal(trust.Detector!.Recall, back.Detector!.Recall);
        Assert.Equal(trust.Sets!.PerClass.Select(c => c.Coverage), back.Sets!.PerClass.Select(c => c.Coverage)); // NaN for a class without cries survives
        Assert.Contains("\"falseSegmentsPerHour\"", report.ToJson(), StringComparison.Ordinal);
    }
}
