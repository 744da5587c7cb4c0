using MathNet.Numerics.Distributions;

namespace Cry.Training.Guarantees;

/// <summary>Exact (Clopper–Pearson) one-sided confidence bounds of a binomial proportion.</summary>
/// <remarks>
/// The bound holds whatever the true proportion, at the stated confidence or better (the test behind it is exact,
/// hence conservative). With <c>k</c> successes in <c>n</c> trials the lower bound at confidence 1 − δ is the δ
/// quantile of Beta(k, n − k + 1), and 0 when k = 0 (MathNet.Numerics' inverse regularised incomplete beta).
/// </remarks>
public static class ClopperPearson
{
    /// <summary>The lower bound of the proportion at <paramref name="confidence"/>.</summary>
    /// <param name="successes">Successes, 0 ≤ k ≤ n.</param>
    /// <param name="trials">Trials, n ≥ 0 (0 gives 0: nothing is known).</param>
    /// <param name="confidence">Confidence level in (0, 1), e.g. 0.95.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or the level is out of range.</exception>
    public static double Lower(int successes, int trials, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must lie in (0, 1).");
        }

        if (successes == 0)
        {
            return 0;
        }

        double alpha = 1 - confidence;
        if (successes == trials)
        {
            return Math.Pow(alpha, 1.0 / trials); // The closed form of Beta(n, 1)'s quantile.
        }

        return Beta.InvCDF(successes, trials - successes + 1, alpha);
    }

    /// <summary>The fewest trials whose lower bound can reach <paramref name="required"/> (all of them successes).</summary>
    /// <param name="required">The proportion the lower bound must reach, in (0, 1).</param>
    /// <param name="confidence">Confidence level in (0, 1).</param>
    /// <returns>n such that a perfect record of n trials reaches <paramref name="required"/>; fewer trials never can.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The proportion is out of range.</exception>
    public static int MinimumTrials(double required, double confidence)
    {
        if (!(required > 0 && required < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(required), required, "The required proportion must lie in (0, 1).");
        }

        // (1 − confidence)^(1/n) ≥ required  ⇔  n ≥ ln(1 − confidence) / ln(required).
        return (int)Math.Ceiling(Math.Log(1 - confidence) / Math.Log(required) - 1e-12);
    }
}
