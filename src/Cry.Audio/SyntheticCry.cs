using Cry.Audio.Augmentation;

namespace Cry.Audio;

/// <summary>Synthetic cry-like test signals: harmonic chirps with f0 between 300 and 600 Hz, in bursts, with a little noise.</summary>
/// <remarks>
/// For demos, tests and benchmarks on machines without recordings; not a model of any real infant. Each burst
/// (0.6–1.4 s) has an arched f0 contour with 6 Hz vibrato and ten harmonics falling as 1/k, separated by 0.2–0.5 s
/// pauses; white noise 30 dB below the peak fills the whole clip. Deterministic given the seed.
/// </remarks>
public static class SyntheticCry
{
    /// <summary>Generates a clip.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is below 1 kHz or the duration not positive.</exception>
    public static AudioSignal Generate(int sampleRate = 8000, double seconds = 7.0, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1000);
        if (!(seconds > 0) || seconds > 600)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "seconds must be in (0, 600].");
        }

        var random = new SeededRandom(seed);
        int length = (int)Math.Round(seconds * sampleRate);
        var samples = new float[length];
        double nyquist = sampleRate / 2.0;
        int position = (int)(random.NextDouble() * 0.2 * sampleRate);
        while (position < length)
        {
            int burst = (int)((0.6 + (0.8 * random.NextDouble())) * sampleRate);
            double baseF0 = 300 + (150 * random.NextDouble());
            double peakF0 = 450 + (150 * random.NextDouble());
            double phase = 0;
            for (int i = 0; i < burst && position + i < length; i++)
            {
                double u = (double)i / burst;
                double f0 = baseF0 + ((peakF0 - baseF0) * Math.Sin(Math.PI * u)) + (8 * Math.Sin(2 * Math.PI * 6 * i / sampleRate));
                phase += 2 * Math.PI * f0 / sampleRate;
                double envelope = Math.Min(1, u * 10) * Math.Min(1, (1 - u) * 5);
                double value = 0;
                for (int k = 1; k <= 10 && k * f0 < nyquist; k++)
                {
                    value += Math.Sin(k * phase) / k;
                }

                samples[position + i] = (float)(0.3 * envelope * value);
            }

            position += burst + (int)((0.2 + (0.3 * random.NextDouble())) * sampleRate);
        }

        for (int i = 0; i < length; i++)
        {
            samples[i] += (float)(0.015 * random.NextGaussian());
        }

        return new AudioSignal(samples, sampleRate);
    }
}
