namespace Cry.Features.Imaging;

/// <summary>The standard normal distribution's inverse CDF, for the MTF's normal bin edges.</summary>
/// <remarks>
/// Wichura's algorithm AS241 (PPND16, Applied Statistics 37, 1988): rational approximations in three regions,
/// relative accuracy about 1e-16, which is what <c>scipy.stats.norm.ppf</c> delivers. Written here because the
/// framework has no inverse normal CDF and the MTF only needs a handful of edges.
/// </remarks>
internal static class NormalDistribution
{
    private const double Split1 = 0.425;
    private const double Split2 = 5;
    private const double Const1 = 0.180625;
    private const double Const2 = 1.6;

    /// <summary>The value z with Φ(z) = <paramref name="probability"/>; ±∞ at 0 and 1, NaN outside [0, 1].</summary>
    public static double InverseCdf(double probability)
    {
        if (double.IsNaN(probability) || probability < 0 || probability > 1)
        {
            return double.NaN;
        }

        if (probability == 0)
        {
            return double.NegativeInfinity;
        }

        if (probability == 1)
        {
            return double.PositiveInfinity;
        }

        double q = probability - 0.5;
        if (Math.Abs(q) <= Split1)
        {
            double r = Const1 - (q * q);
            return q * Horner(CentralNumerator, r) / Horner(CentralDenominator, r);
        }

        double tail = q < 0 ? probability : 1 - probability;
        double s = Math.Sqrt(-Math.Log(tail));
        double value = s <= Split2 ? Intermediate(s - Const2) : Far(s - Split2);
        return q < 0 ? -value : value;
    }

    // Coefficients in ascending powers of r: numerator a0..a7, denominator b0..b7 (b0 = 1).
    private static ReadOnlySpan<double> CentralNumerator =>
    [
        3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
        4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3,
    ];

    private static ReadOnlySpan<double> CentralDenominator =>
    [
        1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
        2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3,
    ];

    private static ReadOnlySpan<double> IntermediateNumerator =>
    [
        1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
        1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4,
    ];

    private static ReadOnlySpan<double> IntermediateDenominator =>
    [
        1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
        1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9,
    ];

    private static ReadOnlySpan<double> FarNumerator =>
    [
        6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
        2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
    ];

    private static ReadOnlySpan<double> FarDenominator =>
    [
        1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
        7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15,
    ];

    private static double Intermediate(double r) => Horner(IntermediateNumerator, r) / Horner(IntermediateDenominator, r);

    private static double Far(double r) => Horner(FarNumerator, r) / Horner(FarDenominator, r);

    private static double Horner(ReadOnlySpan<double> coefficients, double r)
    {
        double value = coefficients[^1];
        for (int i = coefficients.Length - 2; i >= 0; i--)
        {
            value = (value * r) + coefficients[i];
        }

        return value;
    }
}
