using MathNet.Numerics.Distributions;

namespace Cry.Training.Evaluation;

/// <summary>
/// The straight-line trend of a learning curve: a score against the share of training app instances, fitted by least
/// squares over every subsample, with a 95 % interval for the slope from the t distribution.
/// </summary>
/// <param name="Points">The (share, score) points fitted.</param>
/// <param name="Slope">Score gained per unit of share (per doubling from 0.5 to 1, half of it).</param>
/// <param name="Lower">Lower end of the 95 % interval of the slope.</param>
/// <param name="Upper">Upper end.</param>
/// <param name="Intercept">The line's value at share 0.</param>
/// <remarks>
/// The points share their outer test folds, so they are not independent and the interval is, if anything, too narrow;
/// read an interval that contains zero as "no trend shown", and extrapolate only where it excludes zero.
/// </remarks>
public sealed record LearningCurveSlope(int Points, double Slope, double Lower, double Upper, double Intercept)
{
    /// <summary>True when the slope's interval excludes zero.</summary>
    public bool ExcludesZero => Lower > 0 || Upper < 0;

    /// <summary>The line's value at <paramref name="share"/> (e.g. 2: twice the training instances); only meaningful when <see cref="ExcludesZero"/>.</summary>
    public double At(double share) => Intercept + (Slope * share);

    /// <summary>Fits the line; null with fewer than three points or fewer than two distinct shares.</summary>
    public static LearningCurveSlope? Fit(IReadOnlyList<(double Share, double Score)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var finite = points.Where(p => double.IsFinite(p.Share) && double.IsFinite(p.Score)).ToArray();
        int n = finite.Length;
        if (n < 3 || finite.Select(p => p.Share).Distinct().Count() < 2)
        {
            return null;
        }

        double meanX = finite.Average(p => p.Share), meanY = finite.Average(p => p.Score);
        double sxx = finite.Sum(p => (p.Share - meanX) * (p.Share - meanX));
        double sxy = finite.Sum(p => (p.Share - meanX) * (p.Score - meanY));
        double slope = sxy / sxx, intercept = meanY - (slope * meanX);
        double residual = finite.Sum(p => Math.Pow(p.Score - (intercept + (slope * p.Share)), 2));
        double standardError = Math.Sqrt(residual / (n - 2) / sxx);
        double t = StudentT.InvCDF(0, 1, n - 2, 0.975);
        return new LearningCurveSlope(n, slope, slope - (t * standardError), slope + (t * standardError), intercept);
    }
}
