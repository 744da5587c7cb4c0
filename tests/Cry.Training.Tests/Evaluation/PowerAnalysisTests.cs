using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class PowerAnalysisTests
{
    [Theory]
    [InlineData(5, 0.25, 84)]
    [InlineData(5, 0.30, 22)]
    [InlineData(5, 0.40, 6)]
    public void RecordingsPerNeed_MatchesTheNormalApproximation(int classes, double target, int expected) =>
        Assert.Equal(expected, PowerAnalysis.RecordingsPerNeed(classes, target));

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.30)]
    public void TheComputedSize_HasItsPower_AndChanceIsRejectedAtAlpha_InSimulation(double target)
    {
        // Independent recordings, every need's recall equal to the target: simulate the test the size is computed for.
        const int Classes = 5, Trials = 4000;
        int n = PowerAnalysis.RecordingsPerNeed(Classes, target);
        double critical = PowerAnalysis.CriticalBalancedAccuracy(Classes, n);
        var random = new Random(11);
        double Rejections(double recall)
        {
            int rejected = 0;
            for (int t = 0; t < Trials; t++)
            {
                double sum = 0;
                for (int c = 0; c < Classes; c++)
                {
                    int correct = 0;
                    for (int i = 0; i < n; i++)
                    {
                        correct += random.NextDouble() < recall ? 1 : 0;
                    }

                    sum += (double)correct / n;
                }

                rejected += sum / Classes > critical ? 1 : 0;
            }

            return (double)rejected / Trials;
        }

        Assert.InRange(Rejections(target), 0.76, 0.86); // power 0.8
        Assert.InRange(Rejections(1.0 / Classes), 0.02, 0.07); // alpha 0.05
        Assert.InRange(PowerAnalysis.Power(Classes, n, target), 0.8, 0.82);
    }

    [Fact]
    public void OutOfRange_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerAnalysis.RecordingsPerNeed(5, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerAnalysis.RecordingsPerNeed(1, 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerAnalysis.RecordingsPerNeed(5, 0.3, alpha: 0.7));
    }
}
