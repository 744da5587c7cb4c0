namespace Cry.Features.Tests.Imaging;

/// <summary>Deterministic test series.</summary>
internal static class TestSeries
{
    /// <summary>A random walk with standard-normal-ish steps from a fixed seed.</summary>
    public static double[] RandomWalk(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        double level = 0;
        for (int i = 0; i < length; i++)
        {
            level += random.NextDouble() - 0.5 + (0.3 * Math.Sin(i * 0.1));
            values[i] = level;
        }

        return values;
    }

    /// <summary>Uniform values in [-2, 2) from a fixed seed.</summary>
    public static double[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (random.NextDouble() * 4) - 2;
        }

        return values;
    }
}
