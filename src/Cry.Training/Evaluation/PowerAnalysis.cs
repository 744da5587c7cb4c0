using MathNet.Numerics.Distributions;

namespace Cry.Training.Evaluation;

/// <summary>
/// How many test recordings of each need it takes to tell a given balanced accuracy from chance: a one-sided test of
/// balanced accuracy against 1/K (the balanced accuracy of any answer that ignores the recording, whatever the class
/// shares), with every need's recall assumed equal to the balanced accuracy and the recordings independent.
/// </summary>
/// <remarks>
/// Balanced accuracy is the mean of K per-need recalls, each a binomial share of n recordings, so its variance is
/// p(1 − p)/(K·n). The normal approximation gives
/// n = (z₁₋α·√(p₀(1 − p₀)) + z₁₋β·√(p₁(1 − p₁)))² / (K·(p₁ − p₀)²) per need. Recordings of one infant are not
/// independent: count app instances, not clips (or multiply by the design effect).
/// </remarks>
public static class PowerAnalysis
{
    /// <summary>Test recordings needed per need.</summary>
    /// <param name="classes">The number of needs, K ≥ 2.</param>
    /// <param name="balancedAccuracy">The balanced accuracy to detect, above 1/K and below 1.</param>
    /// <param name="alpha">One-sided significance level.</param>
    /// <param name="power">The probability of detecting it.</param>
    public static int RecordingsPerNeed(int classes, double balancedAccuracy, double alpha = 0.05, double power = 0.8)
    {
        Validate(classes, balancedAccuracy, alpha, power);
        double p0 = 1.0 / classes, p1 = balancedAccuracy;
        double z = (NormalQuantile(1 - alpha) * Math.Sqrt(p0 * (1 - p0))) + (NormalQuantile(power) * Math.Sqrt(p1 * (1 - p1)));
        return (int)Math.Ceiling(z * z / (classes * (p1 - p0) * (p1 - p0)));
    }

    /// <summary>The power of the test with <paramref name="perNeed"/> recordings of each need (normal approximation).</summary>
    public static double Power(int classes, int perNeed, double balancedAccuracy, double alpha = 0.05)
    {
        Validate(classes, balancedAccuracy, alpha, 0.5);
        ArgumentOutOfRangeException.ThrowIfLessThan(perNeed, 1);
        double p0 = 1.0 / classes, p1 = balancedAccuracy;
        double se0 = Math.Sqrt(p0 * (1 - p0) / (classes * perNeed)), se1 = Math.Sqrt(p1 * (1 - p1) / (classes * perNeed));
        double critical = p0 + (NormalQuantile(1 - alpha) * se0);
        return 1 - NormalCdf((critical - p1) / se1);
    }

    /// <summary>The balanced accuracy above which a test on this many recordings per need rejects chance (one-sided).</summary>
    public static double CriticalBalancedAccuracy(int classes, int perNeed, double alpha = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(perNeed, 1);
        double p0 = 1.0 / classes;
        return p0 + (NormalQuantile(1 - alpha) * Math.Sqrt(p0 * (1 - p0) / (classes * perNeed)));
    }

    private static void Validate(int classes, double balancedAccuracy, double alpha, double power)
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least two needs are needed.");
        }

        if (!(balancedAccuracy > 1.0 / classes && balancedAccuracy < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(balancedAccuracy), balancedAccuracy, $"The balanced accuracy to detect must lie between chance (1/{classes}) and 1.");
        }

        if (!(alpha > 0 && alpha < 0.5) || !(power > 0 && power < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must lie in (0, 0.5) and power in (0, 1).");
        }
    }

    private static double NormalCdf(double x) => Normal.CDF(0, 1, x);

    private static double NormalQuantile(double p) => Normal.InvCDF(0, 1, p);
}
