using Cry.Features.Guarantees;
using Cry.Training.Guarantees;
using MathNet.Numerics.Distributions;

namespace Cry.Training.Tests.Guarantees;

public sealed class ClopperPearsonTests
{
    [Fact]
    public void AlwaysHungryOnTheCorpus_HasTheLowerBoundTheIssueQuotes()
    {
        double bound = ClopperPearson.Lower(382, 457, 0.95);
        Assert.InRange(bound, 0.80, 0.81);

        // The defining property, checked with an independent function: at the bound, k or more successes have chance 5 %.
        Assert.Equal(0.05, 1 - Binomial.CDF(bound, 457, 381), 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(14)]
    [InlineData(100)]
    public void PerfectRecords_HaveTheClosedForm(int n) =>
        Assert.Equal(Math.Pow(0.05, 1.0 / n), ClopperPearson.Lower(n, n, 0.95), 12);

    [Fact]
    public void Bounds_GrowWithSuccessesAndNeverExceedTheObservedShare()
    {
        Assert.Equal(0, ClopperPearson.Lower(0, 50, 0.95));
        double previous = 0;
        for (int k = 1; k <= 50; k++)
        {
            double bound = ClopperPearson.Lower(k, 50, 0.95);
            Assert.True(bound > previous && bound < k / 50.0 + 1e-12, $"k = {k}: {bound}");
            previous = bound;
        }
    }

    [Fact]
    public void MinimumTrials_IsTheFirstPerfectRecordThatPasses()
    {
        int n = ClopperPearson.MinimumTrials(0.8, 0.95);
        Assert.True(ClopperPearson.Lower(n, n, 0.95) >= 0.8);
        Assert.True(ClopperPearson.Lower(n - 1, n - 1, 0.95) < 0.8);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClopperPearson.Lower(5, 4, 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClopperPearson.Lower(1, 4, 1.0));
    }
}

public sealed class MondrianConformalTests
{
    private const int Classes = 3;

    [Fact]
    public void CrossConformalSets_CoverEveryClassWithinTheBinomialBand_AndRuleLabelsOut()
    {
        // Exchangeable synthetic data: three classes with priors 0.7 / 0.2 / 0.1, a weak signal, five "fold models" that
        // differ by a bias of their own. Calibration scores come from the fold that did not see each recording.
        const double Alpha = 0.1;
        const int Folds = 5;
        var random = new Random(11);
        double[][] biases = [.. Enumerable.Range(0, Folds).Select(_ => Enumerable.Range(0, Classes).Select(_ => 0.3 * Normal(random)).ToArray())];
        var calibration = new List<CalibrationScore>();
        for (int i = 0; i < 900; i++)
        {
            var (label, x) = Draw(random);
            int fold = i % Folds;
            calibration.Add(new CalibrationScore(label, fold, Probabilities(x, biases[fold])[label]));
        }

        var conformal = MondrianConformal.Fit(calibration, Classes, Folds, Alpha);
        Assert.Empty(conformal.AlwaysInSet);
        int[] covered = new int[Classes], seen = new int[Classes];
        double size = 0;
        const int Tests = 6000;
        for (int t = 0; t < Tests; t++)
        {
            var (label, x) = Draw(random);
            var members = biases.Select(b => (IReadOnlyList<double>)Probabilities(x, b)).ToList();
            var set = conformal.Set(members);
            seen[label]++;
            covered[label] += set.Contains(label) ? 1 : 0;
            size += set.Count;
        }

        for (int c = 0; c < Classes; c++)
        {
            double sigma = Math.Sqrt(Alpha * (1 - Alpha) / seen[c]);
            Assert.True(covered[c] / (double)seen[c] >= 1 - Alpha - (3 * sigma), $"class {c}: covered {covered[c]} of {seen[c]}");
        }

        Assert.True(size / Tests < Classes - 0.5, $"mean set size {size / Tests:0.00} rules almost nothing out");
    }

    [Fact]
    public void AClassWithTooFewCalibrationRecordings_IsAlwaysInTheSet()
    {
        Assert.Equal(9, MondrianConformal.MinimumPerClass(0.1));
        var eight = MondrianConformal.Fit(Scores(count: 8), 2, 1, 0.1);
        var nine = MondrianConformal.Fit(Scores(count: 9), 2, 1, 0.1);
        Assert.Equal([1], eight.AlwaysInSet);
        Assert.Empty(nine.AlwaysInSet);

        // A recording that looks nothing like class 1: it stays possible with 8 class-1 recordings, not with 9.
        IReadOnlyList<IReadOnlyList<double>> member = [[0.999, 0.001]];
        Assert.Contains(1, eight.Set(member));
        Assert.DoesNotContain(1, nine.Set(member));
    }

    [Fact]
    public void TheSet_ListsTheMostProbableFirst_AndFitRefusesBadScores()
    {
        var conformal = MondrianConformal.Fit(Scores(count: 30), 2, 1, 0.1);
        Assert.Equal([1, 0], conformal.Set([[0.45, 0.55]]));
        Assert.Throws<ArgumentException>(() => MondrianConformal.Fit([new CalibrationScore(2, 0, 0.5)], 2, 1, 0.1));
        Assert.Throws<ArgumentException>(() => MondrianConformal.Fit([new CalibrationScore(0, 1, 0.5)], 2, 1, 0.1));
        Assert.Throws<ArgumentException>(() => conformal.Set([[0.5, 0.5], [0.5, 0.5]]));
    }

    // Class 0: 40 recordings with p(true) spread over (0, 1); class 1: `count` recordings spread over (0.3, 1).
    private static List<CalibrationScore> Scores(int count) =>
    [
        .. Enumerable.Range(1, 40).Select(i => new CalibrationScore(0, 0, i / 41.0)),
        .. Enumerable.Range(1, count).Select(i => new CalibrationScore(1, 0, 0.3 + (0.7 * i / (count + 1.0)))),
    ];

    private static (int Label, double[] X) Draw(Random random)
    {
        double u = random.NextDouble();
        int label = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
        var x = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            x[c] = (c == label ? 1.0 : 0.0) + Normal(random);
        }

        return (label, x);
    }

    private static double[] Probabilities(double[] x, double[] bias)
    {
        var z = x.Select((v, c) => Math.Exp(v + bias[c])).ToArray();
        double sum = z.Sum();
        return [.. z.Select(v => v / sum)];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

public sealed class ConfidenceCertifierTests
{
    [Fact]
    public void AlwaysAnsweringTheMajority_NeverCertifies()
    {
        // 382 of 457 right at confidence 1: the lower bound 0.805 is above the target but below prior + margin.
        var answers = Enumerable.Range(0, 457).Select(i => new ScoredAnswer(0, 1.0, i < 382)).ToList();
        var result = ConfidenceCertifier.Certify(answers, [382 / 457.0, 75 / 457.0]);
        Assert.Null(result[0].Threshold);
        Assert.Equal(382 / 457.0 + 0.05, result[0].Required, 9);
        Assert.Null(result[1].Threshold);
    }

    [Fact]
    public void LabelsThatAreNoise_AreNeverCertified_Over20Seeds()
    {
        double[] priors = [0.84, 0.05, 0.04, 0.04, 0.03];
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var answers = new List<ScoredAnswer>();
            for (int i = 0; i < 457; i++)
            {
                int truth = Sample(random, priors);
                // A model whose probabilities are random Dirichlet-like draws: the answer knows nothing about the truth.
                var p = priors.Select(v => v * Math.Exp(random.NextDouble() * 3)).ToArray();
                int predicted = Array.IndexOf(p, p.Max());
                answers.Add(new ScoredAnswer(predicted, p[predicted] / p.Sum(), predicted == truth));
            }

            var result = ConfidenceCertifier.Certify(answers, priors);
            Assert.All(result, r => Assert.Null(r.Threshold));
        }
    }

    [Fact]
    public void AnInformativeModel_Certifies_AndKeepsItsPromiseOnFreshData()
    {
        double[] priors = [0.5, 0.5];
        var fit = Simulate(new Random(3), 2000);
        var result = ConfidenceCertifier.Certify(fit, priors);
        Assert.All(result, r => Assert.NotNull(r.Threshold));

        var fresh = Simulate(new Random(4), 20000);
        foreach (var label in result)
        {
            var confident = fresh.Where(a => a.Predicted == label.Label && a.Confidence >= label.Threshold!.Value).ToList();
            double precision = confident.Count(a => a.Correct) / (double)confident.Count;
            Assert.True(precision >= label.Required, $"label {label.Label}: fresh precision {precision:0.000} < {label.Required:0.000}");
            Assert.True(label.CertifiedPrecision <= precision + 0.02, "the certified bound should not exceed what fresh data shows");
        }
    }

    [Fact]
    public void TestingStopsAtTheFirstThresholdThatFails()
    {
        // Confidences 0.9 (all 40 right), 0.7 (20 of 40 right), 0.5 (all 200 right). Pooling at 0.5 would pass, but the
        // sequence stops at 0.7, so the loosest certified threshold is 0.9.
        var answers = new List<ScoredAnswer>();
        answers.AddRange(Enumerable.Range(0, 40).Select(_ => new ScoredAnswer(0, 0.9, true)));
        answers.AddRange(Enumerable.Range(0, 40).Select(i => new ScoredAnswer(0, 0.7, i % 2 == 0)));
        answers.AddRange(Enumerable.Range(0, 200).Select(_ => new ScoredAnswer(0, 0.5, true)));
        var options = new CertificationOptions { Thresholds = [0.9, 0.7, 0.5], MinimumAnswers = 1 };
        var result = ConfidenceCertifier.Certify(answers, [0.5, 0.5], options);
        Assert.Equal(0.9, result[0].Threshold);
        Assert.Equal(40, result[0].Answered);
        Assert.Throws<ArgumentException>(() => ConfidenceCertifier.Certify(answers, [0.5, 0.5], new CertificationOptions { Thresholds = [0.5, 0.7] }));
    }

    // Two balanced classes; the answer's confidence is informative: right with probability equal to the confidence.
    private static List<ScoredAnswer> Simulate(Random random, int n) =>
    [
        .. Enumerable.Range(0, n).Select(_ =>
        {
            double confidence = 0.5 + (0.5 * random.NextDouble());
            return new ScoredAnswer(random.Next(2), confidence, random.NextDouble() < confidence);
        }),
    ];

    private static int Sample(Random random, double[] priors)
    {
        double u = random.NextDouble() * priors.Sum();
        for (int k = 0; k < priors.Length; k++)
        {
            u -= priors[k];
            if (u < 0)
            {
                return k;
            }
        }

        return priors.Length - 1;
    }
}
