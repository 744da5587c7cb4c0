using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public class LearningCurveSlopeTests
{
    [Fact]
    public void Fit_MatchesTheTextbookLine_AndItsInterval()
    {
        // y = 0.1 + 0.2 x with residuals ±0.01: slope 0.2; se = sqrt(SSE / (n − 2) / Sxx).
        (double, double)[] points = [(0.25, 0.16), (0.25, 0.14), (0.5, 0.21), (0.5, 0.19), (1, 0.31), (1, 0.29)];
        var fit = LearningCurveSlope.Fit(points)!;
        Assert.Equal(6, fit.Points);
        Assert.Equal(0.2, fit.Slope, 9);
        Assert.Equal(0.1, fit.Intercept, 9);
        double sxx = points.Sum(p => Math.Pow(p.Item1 - (7.0 / 12), 2));
        double se = Math.Sqrt(6 * 0.0001 / 4 / sxx);
        Assert.Equal(0.2 - (2.7764451 * se), fit.Lower, 5); // t(0.975, 4 df) = 2.776445
        Assert.Equal(0.2 + (2.7764451 * se), fit.Upper, 5);
        Assert.True(fit.ExcludesZero);
        Assert.Equal(0.5, fit.At(2), 9);
    }

    [Fact]
    public void Fit_FlatNoisyCurve_HasAnIntervalAroundZero()
    {
        (double, double)[] points = [(0.25, 0.19), (0.25, 0.21), (0.5, 0.18), (0.5, 0.22), (1, 0.21), (1, 0.19)];
        var fit = LearningCurveSlope.Fit(points)!;
        Assert.False(fit.ExcludesZero);
        Assert.True(fit.Lower < 0 && fit.Upper > 0);
    }

    [Fact]
    public void Fit_TooFewPointsOrOneShare_IsNull()
    {
        Assert.Null(LearningCurveSlope.Fit([(0.5, 0.2), (1, 0.3)]));
        Assert.Null(LearningCurveSlope.Fit([(1, 0.2), (1, 0.3), (1, 0.25)]));
    }
}
